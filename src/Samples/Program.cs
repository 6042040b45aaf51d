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
        var root = new RootCommand("MLNetExtensions: staged BERT pre-training, ID embeddings and persistent-memory RNNs for ML.NET.")
        {
            DemoCommand.Create(),
            PretrainCommand.Create(),
            FinetuneCommand.Create(),
            EmbedCommand.Create(),
            BenchCommand.Create(),
            SweepCommand.Create(),
        };
        return root.Parse(args).Invoke();
    }
}
