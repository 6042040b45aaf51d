namespace MLNetExtensions.Estimators.Training;

/// <summary>Step reports of a run: the window's mean loss, throughput and the estimated time left.</summary>
internal sealed partial class TrainingRun<TBatch>
{
    private void ReportStep()
    {
        var now = _clock.Elapsed;
        double windowSeconds = (now - _windowStart).TotalSeconds;
        long doneThisRun = _step - _loopStartStep;
        TimeSpan? eta = doneThisRun > 0
            ? TimeSpan.FromSeconds((now - _loopStart).TotalSeconds / doneThisRun * (_totalSteps - _step))
            : null;
        _logger.Report(Progress(TrainingProgressKind.Step) with
        {
            AverageLoss = _windowSteps > 0 ? _windowLoss / _windowSteps : double.NaN,
            GradientNorm = _lastGradientNorm,
            ExamplesPerSecond = windowSeconds > 0 ? _windowRows / windowSeconds : 0,
            Elapsed = now,
            EstimatedRemaining = eta,
        });
        _windowLoss = 0;
        _windowSteps = 0;
        _windowRows = 0;
        _windowStart = now;
    }

    /// <summary>A report of <paramref name="kind"/> carrying the run's current position, loss and learning rate.</summary>
    private TrainingProgress Progress(TrainingProgressKind kind) => new()
    {
        Kind = kind,
        Step = _step,
        TotalSteps = _totalSteps,
        Epoch = _reader!.Epoch,
        Loss = _lastLoss,
        LearningRate = _lastLearningRate,
        Elapsed = _clock.Elapsed,
    };
}
