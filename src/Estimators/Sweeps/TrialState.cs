namespace MLNetExtensions.Estimators.Sweeps;

/// <summary>A trial while its sweep runs: the candidate, its runs so far, and its status once decided.</summary>
internal sealed class TrialState<TSettings>
    where TSettings : class, ISweepSettings<TSettings>
{
    public TrialState(int id, SweepCandidate<TSettings> candidate)
    {
        Id = id;
        Candidate = candidate;
    }

    public int Id { get; }

    public SweepCandidate<TSettings> Candidate { get; }

    public List<RungResult> History { get; } = new();

    /// <summary>The final status, or null while the trial is still in play.</summary>
    public TrialStatus? Status { get; set; }

    public string? Message { get; set; }

    public bool Started => History.Count > 0;

    /// <summary>The last run that completed, or null.</summary>
    public RungResult? LastCompleted => History.LastOrDefault(r => r.Status == TrialStatus.Completed);

    public SweepTrial<TSettings> Snapshot(int? rank = null) =>
        new(Id, Candidate, History.ToArray(), Status ?? TrialStatus.InProgress, Message, rank);
}
