using MLNetExtensions.Estimators.Training;

namespace MLNetExtensions.Tests.Training.Support;

/// <summary>Collects progress reports synchronously and runs an optional action on each.</summary>
public sealed class SynchronousProgress : IProgress<TrainingProgress>
{
    private readonly Action<TrainingProgress>? _onReport;

    /// <summary>Creates the collector.</summary>
    public SynchronousProgress(Action<TrainingProgress>? onReport = null) => _onReport = onReport;

    /// <summary>All reports, in order.</summary>
    public List<TrainingProgress> Reports { get; } = new();

    /// <inheritdoc/>
    public void Report(TrainingProgress value)
    {
        Reports.Add(value);
        _onReport?.Invoke(value);
    }
}
