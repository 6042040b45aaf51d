namespace MLNetExtensions.Estimators.Sweeps;

/// <summary>An inclusive integer interval.</summary>
internal sealed class IntegerRangeDimension : SearchDimension<int>
{
    private readonly int min;
    private readonly int max;

    public IntegerRangeDimension(int min, int max)
    {
        if (max < min)
        {
            throw new ArgumentOutOfRangeException(nameof(max), max, $"A range's upper end must be ≥ its lower end ({min}).");
        }

        this.min = min;
        this.max = max;
    }

    public override string Description => $"integers[{min}, {max}]";

    public override bool IsRange => true;

    internal override int Sample(SweepRandom random) => (int)(min + (long)random.NextInt((int)Math.Min(int.MaxValue, (long)max - min + 1)));

    internal override IReadOnlyList<int> GridPoints(int pointsPerRange)
    {
        if (pointsPerRange < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(pointsPerRange), pointsPerRange, "Grid search needs at least one point per range.");
        }

        long count = (long)max - min + 1;
        if (count <= pointsPerRange)
        {
            return Enumerable.Range(0, (int)count).Select(i => min + i).ToArray();
        }

        if (pointsPerRange == 1)
        {
            return new[] { (int)(min + ((count - 1) / 2)) };
        }

        return Enumerable.Range(0, pointsPerRange)
            .Select(i => (int)(min + (long)Math.Round((double)i * ((long)max - min) / (pointsPerRange - 1), MidpointRounding.AwayFromZero)))
            .Distinct()
            .ToArray();
    }
}
