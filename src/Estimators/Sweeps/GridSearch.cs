namespace MLNetExtensions.Estimators.Sweeps;

/// <summary>
/// Grid search: every valid combination of the dimensions' values, each run with its full budget. Choices are
/// tried in the given order; numeric ranges are discretised into <see cref="PointsPerRange"/> evenly spaced points
/// (geometrically for log-uniform ranges). Combinations are nested in <see cref="SearchSpace{TSettings}.SweptDimensions"/>
/// order, the last dimension varying fastest.
/// </summary>
public sealed class GridSearch : ISearchStrategy, ICandidateSource
{
    /// <summary>A grid search with <paramref name="pointsPerRange"/> points for each numeric range.</summary>
    /// <param name="pointsPerRange">≥ 1; one point takes a range's middle.</param>
    public GridSearch(int pointsPerRange = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pointsPerRange, 1);
        PointsPerRange = pointsPerRange;
    }

    /// <summary>How many points each numeric range is discretised into.</summary>
    public int PointsPerRange { get; }

    /// <inheritdoc />
    public string Description => $"grid(pointsPerRange={PointsPerRange})";

    /// <inheritdoc />
    int? ICandidateSource.Seed => null;

    /// <inheritdoc />
    public CandidateSet<TSettings> Propose<TSettings>(SearchSpace<TSettings> space)
        where TSettings : class, ISweepSettings<TSettings>
    {
        ArgumentNullException.ThrowIfNull(space);
        return space.Grid(PointsPerRange);
    }

    /// <inheritdoc />
    public SweepResult<TSettings> Run<TSettings>(string name, SearchSpace<TSettings> space, ITrialRunner runner, IProgress<SweepTrial<TSettings>>? progress = null, CancellationToken cancellationToken = default)
        where TSettings : class, ISweepSettings<TSettings> =>
        FullBudgetSweep.Run(this, name, space, runner, progress, cancellationToken);
}
