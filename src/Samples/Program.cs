using System.CommandLine;
using MLNetExtensions.Samples.Commands;

namespace MLNetExtensions.Samples;

/// <summary>The command line: the main job, pre-training, fine-tuning, embedding, benchmarks and sweeps.</summary>
public static class Program
{
    /// <summary>Entry point.</summary>
    public static int Main(string[] args)
    {
        // Under mpiexec, start MPI before anything can fail, so that a rank failing early ends the whole job.
        Estimators.Training.Distributed.DataParallelEnvironment.Initialize();

        // Spectre.Console falls back to 80 columns when the output is a file or a pipe (CI logs, `| tee`), which squeezes
        // the result tables into unreadable abbreviations; those readers have no width to respect.
        if (System.Console.IsOutputRedirected && Spectre.Console.AnsiConsole.Profile.Width < 160)
        {
            Spectre.Console.AnsiConsole.Profile.Width = 160;
        }

        var root = new RootCommand("MLNetExtensions: staged BERT pre-training, ID embeddings and persistent-memory RNNs for ML.NET.")
        {
            DemoCommand.Create(),
            PretrainCommand.Create(),
            FinetuneCommand.Create(),
            EmbedCommand.Create(),
            BenchCommand.Create(),
            SweepCommand.Create(),
        };
        try
        {
            return root.Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // A failed run says what failed (the library's messages name the file, option or column), not where in the
            // code. The exit code is set before returning so that, under mpiexec, the exit handler aborts the other ranks.
            Environment.ExitCode = 1;
            System.Console.Error.WriteLine($"Error: {Describe(exception)}");
            return 1;
        }
    }

    /// <summary>The exception's message, followed by those of its inner exceptions that add something.</summary>
    private static string Describe(Exception exception)
    {
        var messages = new List<string>();
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (!messages.Any(m => m.Contains(current.Message, StringComparison.Ordinal)))
            {
                messages.Add(current.Message);
            }
        }

        return string.Join(Environment.NewLine + "  caused by: ", messages);
    }
}
