using Microsoft.ML;
using MLNetExtensions.Estimators.Plans;
using MLNetExtensions.Samples.Console;
using MLNetExtensions.Samples.Reporting;
using Spectre.Console;

namespace MLNetExtensions.Samples.Bench;

/// <summary>
/// <c>bench bert-base</c>: pre-trains a 4-layer BERT on the shipped corpus for a fixed number of steps, fine-tunes it on
/// the UCI sentiment split, fine-tunes the same architecture from random weights with the same budget, and runs
/// ML.NET's own text baseline on the same split. Writes artifacts/bench/bert-base.json and bert-base.png.
/// </summary>
internal static class BertBaseBenchmark
{
    public static PretrainingSetup Setup(bool quick) => quick
        ? new PretrainingSetup { HiddenSize = 64, AttentionHeads = 2, IntermediateSize = 256, SequenceLength = 64, BatchSize = 16, TotalSteps = 60, FinalDepth = 4, ValidateEveryNSteps = 20, PeakLearningRate = 1e-3, WarmupSteps = 6, MaximumSentences = 30_000 }
        : new PretrainingSetup { HiddenSize = 256, AttentionHeads = 4, IntermediateSize = 1024, SequenceLength = 64, BatchSize = 32, TotalSteps = 2700, FinalDepth = 4, ValidateEveryNSteps = 300, PeakLearningRate = 5e-4, WarmupSteps = 270, ValidationFraction = 0.01 };

    public static int Run(bool quick)
    {
        var mlContext = new MLContext(seed: 42);
        var setup = Setup(quick);
        var fineTune = MsltBenchmark.FineTuning(quick);
        var corpus = SampleData.Corpus(mlContext, setup.MaximumSentences);
        using var pretrained = PretrainedMethod.Run(mlContext, "pre-train", MultiStagePlans.FullDepth(setup.FinalDepth, setup.TotalSteps, setup.Schedule), setup, corpus);
        double fromPretrained = StagedProgressBar.Run("fine-tune pre-trained", p => SentimentFineTuning.BertAccuracy(mlContext, fineTune, pretrained.Encoder, null, StagedProgressBar.ForSingleRun(p, "sentiment")));
        double fromScratch = StagedProgressBar.Run("fine-tune from scratch", p => SentimentFineTuning.BertAccuracy(mlContext, fineTune, null, pretrained.Encoder.Config, StagedProgressBar.ForSingleRun(p, "sentiment")));
        double textBaseline = SentimentFineTuning.MLNetTextBaselineAccuracy(mlContext, fineTune);

        var report = pretrained.Report;
        var config = pretrained.Encoder.Config;
        var result = new BertBaseBenchmarkResult
        {
            Quick = quick,
            Model = new ModelDescription(config.NumHiddenLayers, config.HiddenSize, config.NumAttentionHeads, config.IntermediateSize, setup.SequenceLength, config.VocabSize, setup.BatchSize, setup.TotalSteps, pretrained.Encoder.ParameterCount),
            PretrainSeconds = report.TrainingSeconds,
            Steps = report.Steps,
            FinalValMlmLoss = report.FinalValidationLoss,
            FinalValMlmAccuracy = report.FinalValidationAccuracy,
            FinetuneAccuracyPretrained = fromPretrained,
            FinetuneAccuracyScratch = fromScratch,
            MlnetTextBaselineAccuracy = textBaseline,
            TokensPerSecond = report.Steps * (double)setup.BatchSize * report.TrainingTokens / Math.Max(1, report.TrainingSequences) / report.TrainingSeconds,
            TrainingSequences = report.TrainingSequences,
            TrainingTokens = report.TrainingTokens,
        };

        string directory = Path.Combine("artifacts", "bench");
        JsonArtifact.Write(Path.Combine(directory, "bert-base.json"), result);
        LossCurvePlot.Save(Path.Combine(directory, "bert-base.png"), "Validation MLM loss vs training time (4-layer BERT)", new[] { ("pre-train", report) });
        var table = new Table().Title("bert-base benchmark");
        table.AddColumns("pre-train s", "steps", "val MLM loss", "val MLM acc", "fine-tune (pre-trained)", "fine-tune (scratch)", "ML.NET text baseline", "tokens/s");
        table.AddRow(result.PretrainSeconds.ToString("F0"), result.Steps.ToString(), result.FinalValMlmLoss.ToString("F3"), result.FinalValMlmAccuracy.ToString("F3"), fromPretrained.ToString("F3"), fromScratch.ToString("F3"), textBaseline.ToString("F3"), result.TokensPerSecond.ToString("F0"));
        AnsiConsole.Write(table);
        return 0;
    }
}

/// <summary>artifacts/bench/bert-base.json.</summary>
internal sealed record BertBaseBenchmarkResult
{
    public required bool Quick { get; init; }

    public required ModelDescription Model { get; init; }

    public required double PretrainSeconds { get; init; }

    public required long Steps { get; init; }

    public required double FinalValMlmLoss { get; init; }

    public required double FinalValMlmAccuracy { get; init; }

    public required double FinetuneAccuracyPretrained { get; init; }

    public required double FinetuneAccuracyScratch { get; init; }

    public required double MlnetTextBaselineAccuracy { get; init; }

    public required double TokensPerSecond { get; init; }

    public required int TrainingSequences { get; init; }

    public required long TrainingTokens { get; init; }
}
