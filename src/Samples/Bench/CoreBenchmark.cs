using Microsoft.ML;
using MLNetExtensions.Estimators.Bert;
using MLNetExtensions.Estimators.Plans;
using MLNetExtensions.Samples.Console;
using MLNetExtensions.Samples.Reporting;
using MLNetExtensions.Transforms.Bert;
using Spectre.Console;

namespace MLNetExtensions.Samples.Bench;

/// <summary>
/// <c>bench core</c>: on <c>bench mslt</c>'s data, model size, batch and step budget, the full-depth baseline, CoRe
/// (relaxed BERT → original BERT), CoRe with a stage-wise relaxed phase, and MSLT 2 → 4 → 6 given twice the steps so
/// that its time to the baseline's final validation loss is measured; each fine-tuned on the UCI sentiment split
/// (mean over the fine-tuning seeds). Writes artifacts/bench/core.json and core.png.
/// </summary>
internal static class CoreBenchmark
{
    /// <summary>Share of the steps the relaxed phase takes.</summary>
    private const double RelaxedShare = 0.7;

    public static int Run(bool quick)
    {
        var mlContext = new MLContext(seed: 42);
        var setup = MsltBenchmark.Setup(quick);
        var fineTune = MsltBenchmark.FineTuning(quick);
        var seeds = BertBaseBenchmark.FineTuneSeeds(quick);
        var corpus = SampleData.Corpus(mlContext, setup.MaximumSentences);
        var runs = new (string Key, BertPretrainingOptionsBase Options)[]
        {
            ("baseline", setup.Options(MultiStagePlans.FullDepth(setup.FinalDepth, setup.TotalSteps, setup.Schedule))),
            ("core", CoReOptions(setup, stageWise: false)),
            ("core_mslt", CoReOptions(setup, stageWise: true)),
            ("mslt_2x_steps", setup.Options(MsltBenchmark.MsltPlan(setup with { TotalSteps = 2 * setup.TotalSteps }))),
        };

        var methods = new List<PretrainedMethod>();
        var peaks = new Dictionary<string, double>();
        try
        {
            foreach (var (key, options) in runs)
            {
                methods.Add(PretrainedMethod.Run(mlContext, key, options, corpus));
                peaks[key] = JsonArtifact.PeakResidentMegabytes();
            }

            double baselineLoss = methods[0].Report.FinalValidationLoss;
            var results = methods.ToDictionary(m => m.Name, m => Measure(mlContext, m, fineTune, seeds, baselineLoss, peaks[m.Name]));
            var core = results["core"];
            var config = methods[0].Encoder.Config;
            var relaxation = ((CoReBertOptions)runs[1].Options).CoRe;
            var output = new CoreBenchmarkResult
            {
                Quick = quick,
                Model = new ModelDescription(config.NumHiddenLayers, config.HiddenSize, config.NumAttentionHeads, config.IntermediateSize, setup.SequenceLength, config.VocabSize, setup.BatchSize, setup.TotalSteps, methods[0].Encoder.ParameterCount),
                Relaxation = $"{relaxation.Attention} attention, feed-forward rank {relaxation.FeedForwardRank}; relaxed phase {RelaxedShare:P0} of the steps",
                FinetuneSeeds = seeds,
                TimingNote = "wall_seconds and ms_per_step are training time with periodic validation excluded; seconds_to_baseline_final_loss interpolates between validations and, for CoRe, counts only validations of the converted (original) BERT.",
                Methods = results,
                Speedup = core.SecondsToBaselineFinalLoss is double seconds ? results["baseline"].WallSeconds / seconds : null,
                PeakRssMb = JsonArtifact.PeakResidentMegabytes(),
            };

            PretrainedMethod.WriteArtifacts("core", "Validation MLM loss vs training time (CoRe)", output, methods);
            PrintTable(output);
            AnsiConsole.MarkupLine("Wrote [bold]artifacts/bench/core.json[/] and core.png");
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

    /// <summary>CoRe on the setup's budget: relaxed phase, then the original BERT, both with the setup's peak rate.</summary>
    internal static CoReBertOptions CoReOptions(PretrainingSetup setup, bool stageWise)
    {
        int relaxedSteps = (int)Math.Round(setup.TotalSteps * RelaxedShare);
        int fullSteps = setup.TotalSteps - relaxedSteps;
        return setup.Configure(new CoReBertOptions
        {
            CoRe = new CoRePlanSettings
            {
                FeedForwardRank = setup.HiddenSize / 4,
                Depth = setup.FinalDepth,
                RelaxedSteps = relaxedSteps,
                FullSteps = fullSteps,
                RelaxedSchedule = new LearningRateScheduleSettings { PeakLearningRate = setup.PeakLearningRate, WarmupSteps = setup.WarmupSteps },
                FullSchedule = new LearningRateScheduleSettings { PeakLearningRate = setup.PeakLearningRate, WarmupSteps = Math.Max(1, fullSteps / 10) },
                RelaxedGrowth = stageWise ? new MultiStagePlanSettings { StartDepth = 2, LayersPerStage = 2 } : null,
            },
        });
    }

    private static CoreMethodResult Measure(MLContext mlContext, PretrainedMethod method, FineTuneSetup fineTune, IReadOnlyList<int> seeds, double baselineLoss, double peakRssMb)
    {
        var report = method.Report;
        var stages = report.Plan.Stages;
        int firstFull = stages.FindIndex(s => s.Architecture == EncoderArchitecture.Full);
        double? MsPerStep(EncoderArchitecture architecture)
        {
            var selected = report.Stages.Where((_, i) => stages[i].Architecture == architecture).ToList();
            return selected.Count == 0 ? null : selected.Sum(s => s.TrainingSeconds) * 1000 / selected.Sum(s => s.Steps);
        }

        var accuracies = seeds.Select(seed => StagedProgressBar.Run(
            $"fine-tune {method.Name} (seed {seed})",
            p => SentimentFineTuning.BertAccuracy(mlContext, fineTune with { Seed = seed }, method.Encoder, null, StagedProgressBar.ForSingleRun(p, "sentiment")))).ToList();
        double? reached = method.SecondsToReach(baselineLoss, firstFull);
        long encoderWeights = method.Encoder.ParameterCount;
        return new CoreMethodResult
        {
            Plan = report.Plan.Name,
            WallSeconds = report.TrainingSeconds,
            Steps = report.Steps,
            FinalValMlmLoss = report.FinalValidationLoss,
            SecondsToBaselineFinalLoss = reached,
            NotReachedReason = reached is null
                ? $"its lowest validation loss of the original BERT, {report.Validations.Where(v => v.Stage >= firstFull).Min(v => v.Loss):F3}, stayed above the baseline's final {baselineLoss:F3} within its {report.Steps} steps"
                : null,
            FinetuneAccuracy = accuracies.Average(),
            FinetuneAccuracies = accuracies,
            ParamsRelaxed = report.RelaxedParameterCount - (report.FullParameterCount - encoderWeights),
            ParamsFull = encoderWeights,
            MsPerStepRelaxed = MsPerStep(EncoderArchitecture.Relaxed),
            MsPerStepFull = MsPerStep(EncoderArchitecture.Full),
            PeakRssMb = peakRssMb,
        };
    }

    private static void PrintTable(CoreBenchmarkResult result)
    {
        var table = new Table().Title($"CoRe benchmark (speedup {result.Speedup?.ToString("F2") ?? "n/a"}×)");
        table.AddColumns("method", "steps", "train s", "val MLM loss", "s to baseline loss", "fine-tune acc", "params relaxed / full", "ms/step relaxed / full");
        foreach (var (name, m) in result.Methods)
        {
            table.AddRow(
                name,
                m.Steps.ToString(),
                m.WallSeconds.ToString("F0"),
                m.FinalValMlmLoss.ToString("F3"),
                m.SecondsToBaselineFinalLoss?.ToString("F0") ?? "never",
                m.FinetuneAccuracy.ToString("F3"),
                $"{m.ParamsRelaxed?.ToString("N0") ?? "-"} / {m.ParamsFull:N0}",
                $"{m.MsPerStepRelaxed?.ToString("F0") ?? "-"} / {m.MsPerStepFull?.ToString("F0") ?? "-"}");
        }

        AnsiConsole.Write(table);
    }
}
