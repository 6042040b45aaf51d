namespace MLNetExtensions.Estimators.Sweeps;

/// <summary>
/// Random search: draws candidates from the space with a seeded generator and runs each with its full budget.
/// Invalid draws and repeats are skipped; a small space yields fewer candidates than asked once it is exhausted.
/// The same seed gives the same candidates, and a run with more trials starts with the candidates of a shorter one.
/// </summary>
public sealed class RandomSearch : ISearchStrategy, ICandidateSource
{
    /// <summary>A random search of <paramref name="trials"/> candidates drawn with <paramref name="seed"/>.</summary>
    /// <param name="trials">How many distinct valid candidates to draw; ≥ 1.</param>
    /// <param name="seed">Fixes the draws.</param>
    public RandomSearch(int trials, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(trials, 1);
        Trials = trials;
        Seed = seed;
    }

    /// <summary>How many candidates are drawn.</summary>
    public int Trials { get; }

    /// <summary>The seed of the draws.</summary>
    public int Seed { get; }

    /// <inheritdoc />
    int? ICandidateSource.Seed => Seed;

    /// <inheritdoc />
    public string Description => $"random(trials={Trials}, seed={Seed})";

    /// <inheritdoc />
    public CandidateSet<TSettings> Propose<TSettings>(SearchSpace<TSettings> space)
        where TSettings : class, ISweepSettings<TSettings>
    {
        ArgumentNullException.ThrowIfNull(space);
        return space.Sample(Trials, Seed);
    }

    /// <inheritdoc />
    public SweepResult<TSettings> Run<TSettings>(string name, SearchSpace<TSettings> space, ITrialRunner runner, IProgress<SweepTrial<TSettings>>? progress = null, CancellationToken cancellationToken = default)
        where TSettings : class, ISweepSettings<TSettings> =>
        FullBudgetSweep.Run(this, name, space, runner, progress, cancellationToken);
}
