namespace MLNetExtensions.Estimators.Sweeps;

/// <summary>Factories of <see cref="SearchDimension{T}"/>: choices, uniform and log-uniform ranges, integer ranges.</summary>
public static class SearchDimension
{
    /// <summary>One of the given values (equally likely in random search; in the given order in grid search).</summary>
    /// <param name="values">At least one value; repeats are tried once.</param>
    public static SearchDimension<T> Choice<T>(params T[] values)
        where T : notnull => new ChoiceDimension<T>(values);

    /// <summary>A number drawn uniformly from [<paramref name="min"/>, <paramref name="max"/>]; grid search uses evenly spaced points.</summary>
    /// <param name="min">The lower end; finite.</param>
    /// <param name="max">The upper end; finite, ≥ <paramref name="min"/>.</param>
    public static SearchDimension<double> Uniform(double min, double max) => new NumericRangeDimension(min, max, logScale: false);

    /// <summary>
    /// A number whose logarithm is drawn uniformly from [log <paramref name="min"/>, log <paramref name="max"/>]
    /// (learning rates); grid search uses geometrically spaced points.
    /// </summary>
    /// <param name="min">The lower end; finite, &gt; 0.</param>
    /// <param name="max">The upper end; finite, ≥ <paramref name="min"/>.</param>
    public static SearchDimension<double> LogUniform(double min, double max) => new NumericRangeDimension(min, max, logScale: true);

    /// <summary>An integer drawn uniformly from [<paramref name="min"/>, <paramref name="max"/>]; grid search uses every integer, or evenly spaced ones when there are more than its points per range.</summary>
    /// <param name="min">The lower end.</param>
    /// <param name="max">The upper end; ≥ <paramref name="min"/>.</param>
    public static SearchDimension<int> IntegerRange(int min, int max) => new IntegerRangeDimension(min, max);
}
