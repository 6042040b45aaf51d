using System.CommandLine;

namespace MLNetExtensions.Samples;

/// <summary>The command line: the main job, benchmarks and sweeps.</summary>
public static class Program
{
    /// <summary>Entry point.</summary>
    public static int Main(string[] args)
    {
        var root = new RootCommand("MLNetExtensions: staged BERT pre-training, ID embeddings and persistent-memory RNNs for ML.NET.");
        return root.Parse(args).Invoke();
    }
}
