using Microsoft.ML;
using MLNetExtensions.Estimators.Bert;
using MLNetExtensions.Estimators.Plans;
using MLNetExtensions.Samples.Console;
using MLNetExtensions.Samples.Reporting;
using MLNetExtensions.Transforms.Bert;

namespace MLNetExtensions.Samples.Bench;

/// <summary>One pre-training method of a benchmark: its plan, the resulting encoder and report.</summary>
internal sealed class PretrainedMethod : IDisposable
{
    private PretrainedMethod(string name, BertEmbeddingTransformer encoder, StagedTrainingReport report)
    {
        Name = name;
        Encoder = encoder;
        Report = report;
    }

    public string Name { get; }

    public BertEmbeddingTransformer Encoder { get; }

    public StagedTrainingReport Report { get; }

    /// <summary>Pre-trains on <paramref name="corpus"/> with <paramref name="plan"/>, showing progress bars.</summary>
    public static PretrainedMethod Run(MLContext mlContext, string name, TrainingPlan plan, PretrainingSetup setup, IDataView corpus) =>
        Run(mlContext, name, setup.Options(plan), corpus);

    /// <summary>Pre-trains on <paramref name="corpus"/> with <paramref name="options"/> (coarse-refined training for <see cref="CoReBertOptions"/>), showing progress bars.</summary>
    public static PretrainedMethod Run(MLContext mlContext, string name, BertPretrainingOptionsBase options, IDataView corpus)
    {
        return StagedProgressBar.Run(name, progress =>
        {
            options.Progress = progress;
            BertPretrainingEstimator estimator = options switch
            {
                CoReBertOptions core => mlContext.Transforms.Text.CoReBert(core),
                MultiStageBertOptions mslt => mlContext.Transforms.Text.MultiStageBert(mslt),
                BertPretrainingOptions plan => mlContext.Transforms.Text.PretrainBert(plan),
                _ => throw new ArgumentException($"Unknown pre-training options {options.GetType().Name}.", nameof(options)),
            };
            var encoder = estimator.Fit(corpus);
            return new PretrainedMethod(name, encoder, encoder.GetTrainingReport()!);
        });
    }

    /// <summary>Writes a pre-training benchmark's <c>artifacts/bench/{name}.json</c> and its validation-loss plot <c>{name}.png</c>.</summary>
    public static void WriteArtifacts<TOutput>(string name, string plotTitle, TOutput output, IReadOnlyList<PretrainedMethod> methods)
    {
        string directory = Path.Combine("artifacts", "bench");
        JsonArtifact.Write(Path.Combine(directory, $"{name}.json"), output);
        LossCurvePlot.Save(Path.Combine(directory, $"{name}.png"), plotTitle, methods.Select(m => (m.Name, m.Report)).ToList());
    }

    /// <summary>
    /// Training seconds at the first validation whose loss is at or below <paramref name="target"/>,
    /// interpolated linearly between validations; null if never reached. Validations of stages before
    /// <paramref name="fromStage"/> are not counted (a relaxed model's loss is not the final model's).
    /// </summary>
    public double? SecondsToReach(double target, int fromStage = 0)
    {
        ValidationPoint? previous = null;
        foreach (var point in Report.Validations.Where(v => v.Stage >= fromStage))
        {
            if (point.Loss <= target)
            {
                if (previous is null || previous.Loss <= point.Loss)
                {
                    return point.TrainingSeconds;
                }

                double fraction = (previous.Loss - target) / (previous.Loss - point.Loss);
                return previous.TrainingSeconds + (fraction * (point.TrainingSeconds - previous.TrainingSeconds));
            }

            previous = point;
        }

        return null;
    }

    public void Dispose() => Encoder.Dispose();
}
