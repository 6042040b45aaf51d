using System.Diagnostics;
using Microsoft.ML;
using MLNetExtensions.Transforms.ModelFiles;

namespace MLNetExtensions.Tests.TestSupport;

/// <summary>
/// Runs this test assembly as a fresh process that loads a model file, transforms a data view saved
/// with <c>SaveAsBinary</c>, and writes the result the same way, so that a test can compare outputs
/// computed in another process with its own. The same entry point runs the ranks of the data-parallel tests.
/// </summary>
public static class ChildProcess
{
    private const string TransformCommand = "transform-model-file";

    /// <summary>Entry point of the child process.</summary>
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == Training.DataParallelTrainingTests.RankProgram.Command)
        {
            return Training.DataParallelTrainingTests.RankProgram.Run(args[1..]);
        }

        if (args.Length != 4 || args[0] != TransformCommand)
        {
            Console.Error.WriteLine($"usage: {TransformCommand} MODEL.zip INPUT.idv OUTPUT.idv");
            return 2;
        }

        var mlContext = new MLContext(seed: 0);
        var model = mlContext.Model.LoadWithTensors(args[1], out _);
        var input = mlContext.Data.LoadFromBinary(args[2]);
        using var output = File.Create(args[3]);
        mlContext.Data.SaveAsBinary(model.Transform(input), output);
        return 0;
    }

    /// <summary>Transforms <paramref name="input"/> with the model file in a new process and returns the output.</summary>
    public static IDataView TransformInFreshProcess(MLContext mlContext, string modelPath, IDataView input, string workDirectory)
    {
        string inputPath = Path.Combine(workDirectory, "child-input.idv");
        string outputPath = Path.Combine(workDirectory, "child-output.idv");
        using (var stream = File.Create(inputPath))
        {
            mlContext.Data.SaveAsBinary(input, stream);
        }

        string assembly = typeof(ChildProcess).Assembly.Location;
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[] { assembly, TransformCommand, modelPath, inputPath, outputPath })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        string errors = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        process.ExitCode.Should().Be(0, $"the child process failed: {errors}");
        return mlContext.Data.LoadFromBinary(outputPath);
    }
}
