namespace MLNetExtensions.Estimators.Sweeps;

/// <summary>The candidates an <see cref="ICandidateSource"/> proposes, and what it skipped as invalid.</summary>
/// <typeparam name="TSettings">The settings each candidate holds.</typeparam>
public sealed class CandidateSet<TSettings>
    where TSettings : class, ISweepSettings<TSettings>
{
    internal CandidateSet(IReadOnlyList<SweepCandidate<TSettings>> candidates, int skippedCount, IReadOnlyList<string> skipReasons)
    {
        Candidates = candidates;
        SkippedCount = skippedCount;
        SkipReasons = skipReasons;
    }

    /// <summary>The valid candidates, in the order they will be tried (trial ids follow this order, from 1).</summary>
    public IReadOnlyList<SweepCandidate<TSettings>> Candidates { get; }

    /// <summary>How many combinations (grid) or draws (random) were skipped because their settings were invalid.</summary>
    public int SkippedCount { get; }

    /// <summary>The distinct reasons combinations were skipped, in the order first met.</summary>
    public IReadOnlyList<string> SkipReasons { get; }
}
