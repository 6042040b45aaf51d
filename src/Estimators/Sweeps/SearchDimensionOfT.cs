namespace MLNetExtensions.Estimators.Sweeps;

/// <summary>
/// The values one setting of a <see cref="SearchSpace{TSettings}"/> may take: a list of choices or a numeric range.
/// Create one with the factories of <see cref="SearchDimension"/>.
/// </summary>
/// <typeparam name="T">The type of the setting.</typeparam>
public abstract class SearchDimension<T>
    where T : notnull
{
    private protected SearchDimension()
    {
    }

    /// <summary>A short description for reports, e.g. <c>choice[2, 3]</c> or <c>log-uniform[0.0001, 0.001]</c>.</summary>
    public abstract string Description { get; }

    /// <summary>Whether this is a numeric range (discretised by grid search) rather than a list of choices.</summary>
    public abstract bool IsRange { get; }

    /// <summary>A value drawn at random.</summary>
    internal abstract T Sample(SweepRandom random);

    /// <summary>The values grid search tries, in order, without repeats.</summary>
    /// <param name="pointsPerRange">How many points a numeric range is discretised into; choices ignore it.</param>
    internal abstract IReadOnlyList<T> GridPoints(int pointsPerRange);

    /// <inheritdoc />
    public override string ToString() => Description;
}
