namespace MLNetExtensions.Estimators.Sweeps;

/// <summary>Where a trial of a sweep ended.</summary>
public enum TrialStatus
{
    /// <summary>The trial ran its full budget.</summary>
    Completed,

    /// <summary>Successive halving stopped the trial after a rung because others had a lower validation loss.</summary>
    StoppedEarly,

    /// <summary>The runner threw (or reported an unusable outcome); <see cref="SweepTrial{TSettings}.Message"/> says why.</summary>
    Failed,

    /// <summary>The sweep was cancelled while the trial was still in play.</summary>
    Cancelled,

    /// <summary>Only in progress reports: the trial finished a rung and waits to be compared with the others.</summary>
    InProgress,
}
