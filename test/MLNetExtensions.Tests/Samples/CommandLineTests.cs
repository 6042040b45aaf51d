using System.Diagnostics;

namespace MLNetExtensions.Tests.Samples;

/// <summary>The sample program's failures: a one-line error naming what is wrong, exit code 1, no stack trace, no file written.</summary>
public sealed class CommandLineTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mlnetext-cli-").FullName;

    [Fact]
    public void AModelPathEndingInPng_OrInAFolderSeparator_IsRefusedBeforeTraining_CreatingNothing()
    {
        var (exitCode, error, _) = Run("pretrain", "--quick", "--steps", "3", "--output", "new/sub/model.PNG");
        exitCode.Should().Be(1);
        error.Should().StartWith("Error: --output 'new/sub/model.PNG' ends in .png").And.NotContain("   at ").And.NotContain("(Parameter");
        var (folderCode, folderError, _) = Run("pretrain", "--quick", "--steps", "3", "--output", "out/");
        folderCode.Should().Be(1);
        folderError.Should().StartWith("Error: --output 'out/' names no file");
        Directory.GetFileSystemEntries(_directory).Should().BeEmpty("nothing is trained, written or created");
    }

    [Fact]
    public void HelpExitsZero_AndAValueThatIsNoNumber_GetsTheParsersErrorWithTheUsage()
    {
        Run("pretrain", "--help").ExitCode.Should().Be(0);
        var (exitCode, error, output) = Run("pretrain", "--steps", "abc");
        exitCode.Should().Be(1);
        error.Should().Contain("Cannot parse argument 'abc' for option '--steps'").And.NotStartWith("Error:");
        output.Should().Contain("Usage:");
    }

    [Fact]
    public void AnOutputUnderAFile_AndAMissingModel_AreErrorsWithoutAStackTrace()
    {
        File.WriteAllText(Path.Combine(_directory, "plain"), "not a folder");
        var (underFile, error, _) = Run("finetune", "--model", "missing.zip", "--output", "plain/sentiment.zip");
        underFile.Should().Be(1);
        error.Should().Contain("--output 'plain/sentiment.zip' cannot be written").And.Contain("is a file, not a folder").And.NotContain("   at ");

        var (missing, missingError, _) = Run("finetune", "--model", "missing.zip", "--output", "sentiment.zip");
        missing.Should().Be(1);
        missingError.Should().StartWith("Error: Model file 'missing.zip' does not exist").And.NotContain("   at ");
    }

    [Fact]
    public void CountsBelowOne_AreRefusedWhileParsing_NamingTheOption()
    {
        var (exitCode, error, _) = Run("sweep", "s", "--trials", "0");
        exitCode.Should().Be(1);
        error.Should().Contain("--trials must be at least 1 (was 0)");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>Runs the sample program in <see cref="_directory"/> (with the same <c>dotnet</c> host as the other child-process tests), killed after two minutes.</summary>
    private (int ExitCode, string StandardError, string StandardOutput) Run(params string[] arguments)
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
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{string.Join(' ', arguments)}' did not end within two minutes.");
        }

        return (process.ExitCode, error.Result, output.Result);
    }
}
