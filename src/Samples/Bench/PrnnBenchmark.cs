using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExtensions.Estimators.Data;
using MLNetExtensions.Estimators.Sequences;
using MLNetExtensions.Samples.Reporting;
using MLNetExtensions.Transforms.Sequences;
using Spectre.Console;

namespace MLNetExtensions.Samples.Bench;

/// <summary>
/// <c>bench prnn</c>: the persistent-memory RNN against an LSTM and a GRU of the same engine (same hidden size, epochs,
/// optimiser and batch; 3 seeds each) and ML.NET's <c>SdcaMaximumEntropy</c> on the zero-padded flattened sequences, on
/// Japanese Vowels (the official split, shipped) and sequential Fashion-MNIST (a seeded 10,000 / 2,000 subset of the
/// Debian package's files; <c>null</c> with the reason when they are missing). Writes artifacts/bench/prnn.json.
/// </summary>
internal static class PrnnBenchmark
{
    private static readonly (string Key, RnnCellKind Kind, MemoryInitialization Memory)[] Methods =
    {
        ("prnn", RnnCellKind.PersistentMemory, MemoryInitialization.Random),
        ("lstm", RnnCellKind.Lstm, MemoryInitialization.Random),
        ("gru", RnnCellKind.Gru, MemoryInitialization.Random),
    };

    public static int Run(bool quick)
    {
        var seeds = quick ? new[] { 1 } : new[] { 1, 2, 3 };
        var datasets = new Dictionary<string, SequenceDatasetResult?> { ["japanese_vowels"] = null, ["fashion_mnist"] = null };
        string? fashionMissing = FashionMnist.IsAvailable()
            ? null
            : $"the Fashion-MNIST IDX files are not in {FashionMnist.DebianDirectory} (Debian package dataset-fashion-mnist)";
        PrnnBenchmarkResult Snapshot(bool complete) =>
            new(quick, complete, seeds, new Dictionary<string, SequenceDatasetResult?>(datasets), fashionMissing, JsonArtifact.PeakResidentMegabytes());
        string path = Path.Combine("artifacts", "bench", "prnn.json");

        // Partial results are written after every method, so an interrupted run still leaves what it measured.
        RunDataset("japanese_vowels", JapaneseVowels(), new RnnSetup(StepSize: 12, HiddenSize: 64, Epochs: quick ? 15 : 30, BatchSize: 32, LearningRate: 3e-3), seeds, datasets, () => JsonArtifact.Write(path, Snapshot(false)));
        if (fashionMissing is null)
        {
            var split = FashionMnistSplit(quick ? 1_000 : 10_000, quick ? 500 : 2_000);
            RunDataset("fashion_mnist", split, new RnnSetup(StepSize: FashionMnist.Side, HiddenSize: 64, Epochs: quick ? 2 : 30, BatchSize: 64, LearningRate: 3e-3), seeds, datasets, () => JsonArtifact.Write(path, Snapshot(false)));
        }
        else
        {
            AnsiConsole.WriteLine($"fashion_mnist: null ({fashionMissing})");
        }

        var result = Snapshot(true);
        JsonArtifact.Write(path, result);

        var table = new Table().Title("bench prnn: test accuracy (mean ± std over seeds)");
        table.AddColumns("dataset", "method", "accuracy", "s/epoch", "CPU s/epoch", "parameters");
        foreach (var (name, dataset) in result.Datasets)
        {
            foreach (var (method, m) in dataset?.Methods ?? new Dictionary<string, SequenceMethodResult>())
            {
                table.AddRow(name, method, $"{m.AccuracyMean:F4} ± {m.AccuracyStd:F4}", m.SecondsPerEpoch?.ToString("F2") ?? "-", m.CpuSecondsPerEpoch?.ToString("F2") ?? "-", m.Parameters.ToString());
            }
        }

        AnsiConsole.Write(table);
        AnsiConsole.WriteLine($"peak_rss_mb {result.PeakRssMb:F0}");
        return 0;
    }

    private static void RunDataset(string name, SequenceSplit split, RnnSetup setup, IReadOnlyList<int> seeds, Dictionary<string, SequenceDatasetResult?> datasets, Action written)
    {
        // Untimed warm-up of every method (JIT, first native calls), so the first method timed does not pay for them.
        foreach (var (_, kind, memory) in Methods)
        {
            using var warm = Trainer(kind, memory, setup, seed: 0, maxSteps: 2).Fit(split.Train).LastTransformer;
        }

        var methods = new Dictionary<string, SequenceMethodResult>();
        foreach (var (key, kind, memory) in Methods)
        {
            var runs = seeds.Select(seed => TrainRnn(name, key, kind, memory, split, setup, seed)).ToList();
            methods[key] = SequenceMethodResult.From(runs.Select(r => r.Accuracy).ToList(), runs.Average(r => r.SecondsPerEpoch), runs[0].Parameters)
                with { CpuSecondsPerEpoch = runs.Average(r => r.CpuSecondsPerEpoch) };
            datasets[name] = new SequenceDatasetResult(split.TrainRows, split.TestRows, setup, new Dictionary<string, SequenceMethodResult>(methods));
            written();
        }

        methods["sdca_maximum_entropy"] = Sdca(name, split);
        datasets[name] = new SequenceDatasetResult(split.TrainRows, split.TestRows, setup, methods);
        written();
    }

    private static RnnRun TrainRnn(string dataset, string method, RnnCellKind kind, MemoryInitialization memory, SequenceSplit split, RnnSetup setup, int seed)
    {
        var mlContext = new MLContext(seed: seed);
        var trainer = Trainer(kind, memory, setup, seed, maxSteps: null);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        var chain = trainer.Fit(split.Train);
        using var model = chain.LastTransformer;
        double seconds = watch.Elapsed.TotalSeconds;
        double cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        double accuracy = mlContext.MulticlassClassification.Evaluate(chain.Transform(split.Test)).MicroAccuracy;
        long parameters = model.Model.parameters().Sum(p => p.numel());
        var run = new RnnRun(accuracy, seconds / setup.Epochs, cpuSeconds / setup.Epochs, parameters);
        AnsiConsole.WriteLine($"{dataset} {method} seed {seed}: accuracy {accuracy:F4}, {run.SecondsPerEpoch:F2} s/epoch ({run.CpuSecondsPerEpoch:F2} CPU s), {parameters} parameters");
        return run;
    }

    /// <summary>The label mapping and the trainer with the benchmark's settings for one method.</summary>
    private static EstimatorChain<PersistentMemoryRnnTransformer> Trainer(RnnCellKind kind, MemoryInitialization memory, RnnSetup setup, int seed, long? maxSteps)
    {
        var mlContext = new MLContext(seed: seed);
        var options = new PersistentMemoryRnnOptions
        {
            StepSize = setup.StepSize,
            CellKind = kind,
            MemoryInitialization = memory,
            HiddenSize = setup.HiddenSize,
            Epochs = setup.Epochs,
            MaxSteps = maxSteps,
            BatchSize = setup.BatchSize,
            LearningRate = setup.LearningRate,
            Seed = seed,
        };
        return mlContext.Transforms.Conversion.MapValueToKey("Label")
            .Append(mlContext.MulticlassClassification.Trainers.PersistentMemoryRnn(options));
    }

    /// <summary>ML.NET's SdcaMaximumEntropy on the zero-padded, flattened, min-max normalised sequences.</summary>
    private static SequenceMethodResult Sdca(string dataset, SequenceSplit split)
    {
        var mlContext = new MLContext(seed: 1);
        var train = SequenceDataView.FromRows(mlContext, split.TrainSequences, split.StepSize, split.MaxSteps);
        var test = SequenceDataView.FromRows(mlContext, split.TestSequences, split.StepSize, split.MaxSteps);
        var pipeline = mlContext.Transforms.Conversion.MapValueToKey("Label")
            .Append(mlContext.Transforms.NormalizeMinMax("Features"))
            .AppendCacheCheckpoint(mlContext)
            .Append(mlContext.MulticlassClassification.Trainers.SdcaMaximumEntropy());
        var watch = Stopwatch.StartNew();
        var model = pipeline.Fit(train);
        double seconds = watch.Elapsed.TotalSeconds;
        double accuracy = mlContext.MulticlassClassification.Evaluate(model.Transform(test)).MicroAccuracy;
        int classes = split.TrainSequences.Select(r => r.Label).Distinct().Count();
        long parameters = ((long)split.MaxSteps * split.StepSize * classes) + classes;
        AnsiConsole.WriteLine($"{dataset} sdca_maximum_entropy: accuracy {accuracy:F4}, trained in {seconds:F1} s");
        return SequenceMethodResult.From(new[] { accuracy }, null, parameters) with { TrainingSeconds = seconds };
    }

    private static SequenceSplit JapaneseVowels()
    {
        var train = TimeSeriesFileReader.Read(ShippedData.JapaneseVowelsTrainPath);
        var test = TimeSeriesFileReader.Read(ShippedData.JapaneseVowelsTestPath);
        static List<SequenceRow> Rows(TimeSeriesDataset d) =>
            d.Series.Select(s => new SequenceRow { Label = s.Label, Features = s.Values.SelectMany(v => v).ToArray() }).ToList();
        int maxSteps = train.Series.Concat(test.Series).Max(s => s.Length);
        return SequenceSplit.Create(Rows(train), Rows(test), train.Header.Dimensions, maxSteps);
    }

    private static SequenceSplit FashionMnistSplit(int trainCount, int testCount) =>
        SequenceSplit.Create(
            FashionMnist.Read(FashionMnist.DebianDirectory, train: true, trainCount, seed: 1).ToList(),
            FashionMnist.Read(FashionMnist.DebianDirectory, train: false, testCount, seed: 2).ToList(),
            FashionMnist.Side,
            FashionMnist.Side);

    private sealed record RnnRun(double Accuracy, double SecondsPerEpoch, double CpuSecondsPerEpoch, long Parameters);

    /// <summary>A dataset's rows as sequence rows and as data views.</summary>
    private sealed record SequenceSplit(List<SequenceRow> TrainSequences, List<SequenceRow> TestSequences, IDataView Train, IDataView Test, int StepSize, int MaxSteps)
    {
        public int TrainRows => TrainSequences.Count;

        public int TestRows => TestSequences.Count;

        public static SequenceSplit Create(List<SequenceRow> train, List<SequenceRow> test, int stepSize, int maxSteps)
        {
            var mlContext = new MLContext(seed: 0);
            return new SequenceSplit(train, test, SequenceDataView.FromRows(mlContext, train, stepSize), SequenceDataView.FromRows(mlContext, test, stepSize), stepSize, maxSteps);
        }
    }
}

/// <summary>The recurrent methods' shared settings on one dataset.</summary>
internal sealed record RnnSetup(int StepSize, int HiddenSize, int Epochs, int BatchSize, double LearningRate);

/// <summary>One method's figures on one dataset.</summary>
internal sealed record SequenceMethodResult(IReadOnlyList<double> Accuracies, double AccuracyMean, double AccuracyStd, double? SecondsPerEpoch, long Parameters)
{
    /// <summary>Processor time (all threads) per epoch: less sensitive than wall time to other processes on a shared machine.</summary>
    public double? CpuSecondsPerEpoch { get; init; }

    /// <summary>Training time of a method without epochs (SDCA).</summary>
    public double? TrainingSeconds { get; init; }

    public static SequenceMethodResult From(IReadOnlyList<double> accuracies, double? secondsPerEpoch, long parameters)
    {
        double mean = accuracies.Average();
        double std = accuracies.Count > 1 ? Math.Sqrt(accuracies.Sum(a => (a - mean) * (a - mean)) / (accuracies.Count - 1)) : 0;
        return new SequenceMethodResult(accuracies, mean, std, secondsPerEpoch, parameters);
    }
}

/// <summary>One dataset's results.</summary>
internal sealed record SequenceDatasetResult(int TrainRows, int TestRows, RnnSetup Setup, IReadOnlyDictionary<string, SequenceMethodResult> Methods);

/// <summary>artifacts/bench/prnn.json.</summary>
internal sealed record PrnnBenchmarkResult(bool Quick, bool Complete, IReadOnlyList<int> Seeds, IReadOnlyDictionary<string, SequenceDatasetResult?> Datasets, string? FashionMnistMissingReason, double PeakRssMb);
