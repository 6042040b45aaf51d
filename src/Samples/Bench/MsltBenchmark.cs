using Microsoft.ML;
using MLNetExtensions.Estimators.Bert;
using MLNetExtensions.Estimators.Plans;
using MLNetExtensions.Samples.Console;
using MLNetExtensions.Samples.Reporting;
using Spectre.Console;

namespace MLNetExtensions.Samples.Bench;

/// <summary>
/// <c>bench mslt</c>: the full-depth baseline, MSLT and Progressive Stacking, one after another in one process, on
/// the same corpus, tokenizer, model size, batch, schedule and number of optimiser steps; then each fine-tuned on
/// the UCI sentiment split. Writes artifacts/bench/mslt.json and artifacts/bench/mslt.png.
/// </summary>
internal static class MsltBenchmark
{
    public static PretrainingSetup Setup(bool quick) => quick
        ? new PretrainingSetup { HiddenSize = 64, AttentionHeads = 2, IntermediateSize = 256, SequenceLength = 64, BatchSize = 16, TotalSteps = 60, FinalDepth = 6, ValidateEveryNSteps = 10, PeakLearningRate = 1e-3, WarmupSteps = 6, MaximumSentences = 30_000 }
        : new PretrainingSetup { HiddenSize = 256, AttentionHeads = 4, IntermediateSize = 1024, SequenceLength = 64, BatchSize = 32, TotalSteps = 1000, FinalDepth = 6, ValidateEveryNSteps = 100, PeakLearningRate = 5e-4, WarmupSteps = 100, ValidationFraction = 0.01 };

    public static FineTuneSetup FineTuning(bool quick) => quick
        ? new FineTuneSetup { MaximumLength = 32, BatchSize = 32, Epochs = 1, LearningRate = 2e-4 }
        : new FineTuneSetup { MaximumLength = 48, BatchSize = 32, Epochs = 3, LearningRate = 3e-4 };

    /// <summary>The MSLT plan of the benchmark: 2 → 4 → 6 layers, 2 new layers per stage, equal steps.</summary>
    public static TrainingPlan MsltPlan(PretrainingSetup setup) => MsltPlan(setup, startDepth: 2, layersPerStage: 2);

    /// <summary>An MSLT plan growing from <paramref name="startDepth"/> by <paramref name="layersPerStage"/> layers per stage, equal steps.</summary>
    public static TrainingPlan MsltPlan(PretrainingSetup setup, int startDepth, int layersPerStage) => MultiStagePlans.Mslt(new MultiStagePlanSettings
    {
        StartDepth = startDepth,
        LayersPerStage = layersPerStage,
        TargetDepth = setup.FinalDepth,
        TotalSteps = setup.TotalSteps,
        StepAllocation = StepAllocation.Equal,
        Schedule = setup.Schedule,
    });

    public static int Run(bool quick)
    {
        var mlContext = new MLContext(seed: 42);
        var setup = Setup(quick);
        var fineTune = FineTuning(quick);
        var corpus = SampleData.Corpus(mlContext, setup.MaximumSentences);
        var plans = new (string Key, TrainingPlan Plan)[]
        {
            ("baseline", MultiStagePlans.FullDepth(setup.FinalDepth, setup.TotalSteps, setup.Schedule)),
            ("mslt", MsltPlan(setup)),
            ("mslt_one_layer_per_stage", MsltPlan(setup, startDepth: 1, layersPerStage: 1)),
            ("progressive_stacking", MultiStagePlans.ProgressiveStacking(setup.FinalDepth / 2, setup.FinalDepth, setup.TotalSteps, setup.Schedule)),
        };

        var methods = new List<PretrainedMethod>();
        try
        {
            foreach (var (key, plan) in plans)
            {
                methods.Add(PretrainedMethod.Run(mlContext, key, plan, setup, corpus));
            }

            var accuracies = methods.ToDictionary(
                m => m.Name,
                m => StagedProgressBar.Run($"fine-tune {m.Name}", p => SentimentFineTuning.BertAccuracy(mlContext, fineTune, m.Encoder, null, StagedProgressBar.ForSingleRun(p, "sentiment"))));

            var baseline = methods[0];
            var calibration = baseline.Report.Stages[0];
            double flopsPerMillisecond = calibration.PredictedFlopsPerStep / calibration.MillisecondsPerStep;
            double baselineLoss = baseline.Report.FinalValidationLoss;
            var results = methods.ToDictionary(m => m.Name, m => new MethodResult
            {
                WallSeconds = m.Report.TrainingSeconds,
                Steps = m.Report.Steps,
                FinalValMlmLoss = m.Report.FinalValidationLoss,
                FinalValMlmAccuracy = m.Report.FinalValidationAccuracy,
                SecondsToBaselineFinalLoss = m.SecondsToReach(baselineLoss),
                FinetuneAccuracy = accuracies[m.Name],
                Plan = m.Report.Plan.Name,
                Stages = m.Report.Stages.Select(s => new StageResult(s.Depth, s.TrainableLayers, s.Steps, s.MillisecondsPerStep, s.PredictedFlopsPerStep / flopsPerMillisecond, s.ValidationLoss)).ToList(),
            });

            var config = baseline.Encoder.Config;
            var output = new MsltBenchmarkResult
            {
                Quick = quick,
                Model = new ModelDescription(config.NumHiddenLayers, config.HiddenSize, config.NumAttentionHeads, config.IntermediateSize, setup.SequenceLength, config.VocabSize, setup.BatchSize, setup.TotalSteps, CountParameters(baseline.Encoder)),
                TrainingSequences = baseline.Report.TrainingSequences,
                ValidationSequences = baseline.Report.ValidationSequences,
                TimingNote = "wall_seconds and ms_per_step are training time with periodic validation excluded; predicted_ms_per_step = FLOP model (forward over all layers + backward over trainable ones + MLM head at masked positions) / the baseline's measured FLOP rate.",
                Methods = results,
                Speedup = results["baseline"].WallSeconds / results["mslt"].WallSeconds,
                SpeedupByMethod = results.ToDictionary(r => r.Key, r => results["baseline"].WallSeconds / r.Value.WallSeconds),
                MsltPlan = methods[1].Report.Plan.ToJson(),
            };

            PretrainedMethod.WriteArtifacts("mslt", "Validation MLM loss vs training time", output, methods);
            PrintTable(output);
            AnsiConsole.MarkupLine("Wrote [bold]artifacts/bench/mslt.json[/] and mslt.png");
            return 0;
        }
        finally
        {
            foreach (var method in methods)
            {
                method.Dispose();
            }
        }
    }

    private static long CountParameters(Transforms.Bert.BertEmbeddingTransformer encoder) => encoder.ParameterCount;

    private static void PrintTable(MsltBenchmarkResult result)
    {
        var table = new Table().Title($"MSLT benchmark (speedup {result.Speedup:F2}×)");
        table.AddColumns("method", "steps", "train s", "val MLM loss", "val MLM acc", "s to baseline loss", "fine-tune acc", "stages (depth/trainable: ms per step, predicted)");
        foreach (var (name, m) in result.Methods)
        {
            table.AddRow(
                name,
                m.Steps.ToString(),
                m.WallSeconds.ToString("F0"),
                m.FinalValMlmLoss.ToString("F3"),
                m.FinalValMlmAccuracy.ToString("F3"),
                m.SecondsToBaselineFinalLoss?.ToString("F0") ?? "never",
                m.FinetuneAccuracy.ToString("F3"),
                string.Join("; ", m.Stages.Select(s => $"{s.Depth}/{s.TrainableLayers}: {s.MsPerStep:F0} ({s.PredictedMsPerStep:F0})")));
        }

        AnsiConsole.Write(table);
    }
}
