using System.Globalization;
using System.Text;

namespace MLNetExtensions.Estimators.Training;

/// <summary>Where in a staged plan a progress report was made.</summary>
/// <param name="Index">The stage running (0-based).</param>
/// <param name="Count">Stages in the plan.</param>
/// <param name="Name">The stage's name.</param>
/// <param name="StepsBefore">Plan steps done before this stage.</param>
/// <param name="PlanSteps">Steps of the whole plan.</param>
public sealed record TrainingStagePosition(int Index, int Count, string Name, long StepsBefore, long PlanSteps);

/// <summary>
/// One progress report, the one type every estimator reports with. The engine calls <see cref="IProgress{T}.Report"/>
/// synchronously on the training thread, between steps; the same text goes to <c>MLContext.Log</c>. Staged training
/// (pre-training plans) adds where in the plan the run is (<see cref="Stage"/>).
/// </summary>
public sealed record TrainingProgress
{
    private static readonly IReadOnlyDictionary<string, double> NoMetrics = new Dictionary<string, double>();

    /// <summary>The stage of a staged plan this report comes from; null for a single run.</summary>
    public TrainingStagePosition? Stage { get; init; }

    /// <summary>Steps done across the plan (<see cref="Step"/> for a single run).</summary>
    public long PlanStep => (Stage?.StepsBefore ?? 0) + Step;

    /// <summary>What the report is about.</summary>
    public required TrainingProgressKind Kind { get; init; }

    /// <summary>Updates applied so far (over all runs, when resumed).</summary>
    public required long Step { get; init; }

    /// <summary>Updates the run makes in total.</summary>
    public required long TotalSteps { get; init; }

    /// <summary>The 0-based epoch in progress (for <see cref="TrainingProgressKind.Epoch"/>, the epoch that ended).</summary>
    public required long Epoch { get; init; }

    /// <summary>Loss of the latest update, or NaN before the first.</summary>
    public double Loss { get; init; } = double.NaN;

    /// <summary>Mean loss since the previous report of the same kind (steps) or over the epoch (epochs).</summary>
    public double AverageLoss { get; init; } = double.NaN;

    /// <summary>Base learning rate of the latest update (before per-group multipliers).</summary>
    public double LearningRate { get; init; } = double.NaN;

    /// <summary>Global gradient norm of the latest update before clipping, when clipping is on.</summary>
    public double? GradientNorm { get; init; }

    /// <summary>Training rows per second since the previous step report.</summary>
    public double ExamplesPerSecond { get; init; }

    /// <summary>Wall time of this run so far.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>Estimated time to the last update, from this run's mean step time; null before the first update.</summary>
    public TimeSpan? EstimatedRemaining { get; init; }

    /// <summary>Validation metrics (validation reports), otherwise empty.</summary>
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = NoMetrics;

    /// <summary>The checkpoint written (checkpoint reports).</summary>
    public string? CheckpointPath { get; init; }

    /// <summary>A one-line human-readable form, as written to <c>MLContext.Log</c>.</summary>
    /// <returns>The line.</returns>
    public override string ToString()
    {
        var inv = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.Append(inv, $"[{Kind}] step {Step}/{TotalSteps} epoch {Epoch}");
        switch (Kind)
        {
            case TrainingProgressKind.Step:
                text.Append(inv, $" loss {Loss:G5} avg {AverageLoss:G5} lr {LearningRate:G4}");
                if (GradientNorm is double norm)
                {
                    text.Append(inv, $" grad-norm {norm:G4}");
                }

                text.Append(inv, $" {ExamplesPerSecond:F1} ex/s elapsed {Elapsed:hh\\:mm\\:ss}");
                if (EstimatedRemaining is TimeSpan eta)
                {
                    text.Append(inv, $" eta {eta:hh\\:mm\\:ss}");
                }

                break;
            case TrainingProgressKind.Epoch:
                text.Append(inv, $" mean loss {AverageLoss:G5} elapsed {Elapsed:hh\\:mm\\:ss}");
                break;
            case TrainingProgressKind.Validation:
                foreach (var metric in Metrics.OrderBy(m => m.Key, StringComparer.Ordinal))
                {
                    text.Append(inv, $" {metric.Key} {metric.Value:G5}");
                }

                break;
            case TrainingProgressKind.Checkpoint:
                text.Append(inv, $" wrote {CheckpointPath}");
                break;
            case TrainingProgressKind.Finished:
                text.Append(inv, $" loss {Loss:G5} elapsed {Elapsed:hh\\:mm\\:ss}");
                break;
        }

        return text.ToString();
    }
}
