namespace MLNetExtensions.Estimators.Sweeps;

/// <summary>
/// A real interval, sampled uniformly on a linear or a logarithmic scale. Values are rounded to
/// <see cref="SignificantDigits"/> significant digits so that they read well in reports and compare exactly.
/// </summary>
internal sealed class NumericRangeDimension : SearchDimension<double>
{
    public const int SignificantDigits = 6;

    private readonly double min;
    private readonly double max;
    private readonly bool logScale;

    public NumericRangeDimension(double min, double max, bool logScale)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max))
        {
            throw new ArgumentOutOfRangeException(double.IsFinite(min) ? nameof(max) : nameof(min), "A range's ends must be finite numbers.");
        }

        if (max < min)
        {
            throw new ArgumentOutOfRangeException(nameof(max), max, $"A range's upper end must be ≥ its lower end ({min}).");
        }

        if (logScale && min <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(min), min, "A log-uniform range needs a lower end > 0.");
        }

        this.min = min;
        this.max = max;
        this.logScale = logScale;
    }

    public override string Description => $"{(logScale ? "log-uniform" : "uniform")}[{SweepValues.Format(min)}, {SweepValues.Format(max)}]";

    public override bool IsRange => true;

    internal override double Sample(SweepRandom random) => At(random.NextDouble());

    internal override IReadOnlyList<double> GridPoints(int pointsPerRange)
    {
        if (pointsPerRange < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(pointsPerRange), pointsPerRange, "Grid search needs at least one point per range.");
        }

        if (pointsPerRange == 1 || min == max)
        {
            return new[] { At(0.5) };
        }

        return Enumerable.Range(0, pointsPerRange)
            .Select(i => i == pointsPerRange - 1 ? max : At((double)i / (pointsPerRange - 1)))
            .Distinct()
            .ToArray();
    }

    /// <summary>The value at position <paramref name="u"/> ∈ [0, 1] of the range, on its scale, rounded and kept inside the range.</summary>
    private double At(double u)
    {
        double value = logScale
            ? Math.Exp(Math.Log(min) + (u * (Math.Log(max) - Math.Log(min))))
            : min + (u * (max - min));
        return Math.Clamp(RoundSignificant(value), min, max);
    }

    private static double RoundSignificant(double value)
    {
        if (value == 0)
        {
            return 0;
        }

        return double.Parse(value.ToString($"E{SignificantDigits - 1}", System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture);
    }
}
