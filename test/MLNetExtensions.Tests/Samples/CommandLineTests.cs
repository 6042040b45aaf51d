using System.Diagnostics;

namespace MLNetExtensions.Tests.Samples;

/// <summary>The sample program's failures: a one-line error naming what is wrong, exit code 1, no stack trace, no file written.</summary>
public sealed class CommandLineTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mlnetext-cli-").FullName;

    [Fact]
    public void AModelPathEndingInPng_IsRefusedBeforeTraining_InsteadOfBeingOverwrittenByTheFigure()
    {
        var (exitCode, error) = Run("pretrain", "--quick", "--steps", "3", "--output", "model.png");
        exitCode.Should().Be(1);
        error.Should().StartWith("Error: --output 'model.png' ends in .png").And.NotContain("   at ");
        Directory.GetFiles(_directory).Should().BeEmpty("nothing is trained or written");
    }

    [Fact]
    public void AnOutputUnderAFile_AndAMissingModel_AreErrorsWithoutAStackTrace()
    {
        File.WriteAllText(Path.Combine(_directory, "plain"), "not a folder");
        var (underFile, error) = Run("finetune", "--model", "missing.zip", "--output", "plain/sentiment.zip");
        underFile.Should().Be(1);
        error.Should().Contain("--output 'plain/sentiment.zip' cannot be written").And.Contain("is a file, not a folder").And.NotContain("   at ");

        var (missing, missingError) = Run("finetune", "--model", "missing.zip", "--output", "sentiment.zip");
        missing.Should().Be(1);
        missingError.Should().StartWith("Error: Model file 'missing.zip' does not exist").And.NotContain("   at ");
    }

    [Fact]
    public void CountsBelowOne_AreRefusedWhileParsing_NamingTheOption()
    {
        var (exitCode, error) = Run("sweep", "s", "--trials", "0");
        exitCode.Should().Be(1);
        error.Should().Contain("--trials must be at least 1 (was 0)");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private (int ExitCode, string StandardError) Run(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
            WorkingDirectory = _directory,
        };
        start.ArgumentList.Add(typeof(MLNetExtensions.Samples.Program).Assembly.Location);
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        string error = process.StandardError.ReadToEnd();
        output.Wait();
        process.WaitForExit();
        return (process.ExitCode, error);
    }
}
