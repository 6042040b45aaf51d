namespace MLNetExtensions.Estimators.Sweeps;

/// <summary>A dimension that takes one of a list of values.</summary>
internal sealed class ChoiceDimension<T> : SearchDimension<T>
    where T : notnull
{
    private readonly T[] values;

    public ChoiceDimension(IEnumerable<T> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        this.values = values.Distinct().ToArray();
        if (this.values.Length == 0)
        {
            throw new ArgumentException("A choice dimension needs at least one value.", nameof(values));
        }

        if (this.values.Any(v => v is double d && !double.IsFinite(d)))
        {
            throw new ArgumentException("A choice dimension's numbers must be finite.", nameof(values));
        }
    }

    public override string Description => $"choice[{string.Join(", ", values.Select(v => SweepValues.Format(v)))}]";

    public override bool IsRange => false;

    internal override T Sample(SweepRandom random) => values[random.NextInt(values.Length)];

    internal override IReadOnlyList<T> GridPoints(int pointsPerRange) => values;
}
