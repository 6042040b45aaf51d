namespace MLNetExtensions.Estimators.Data;

/// <summary>One labelled multivariate series of a <c>.ts</c> file.</summary>
/// <param name="Values">
/// The values laid out <b>time step × dimension</b>: <c>Values[t][d]</c> is dimension <c>d</c> at time step <c>t</c>,
/// so <c>Values.Length</c> is the series length and every <c>Values[t]</c> has one value per dimension — the
/// (steps, features) layout a recurrent network reads.
/// </param>
/// <param name="Label">The class label, one of <see cref="TimeSeriesHeader.ClassLabels"/>.</param>
/// <param name="LabelIndex">The index of <paramref name="Label"/> in <see cref="TimeSeriesHeader.ClassLabels"/> (0-based), usable as a class id.</param>
public sealed record TimeSeriesRecord(float[][] Values, string Label, int LabelIndex)
{
    /// <summary>The number of time steps.</summary>
    public int Length => Values.Length;

    /// <summary>The number of dimensions (features per time step).</summary>
    public int Dimensions => Values.Length == 0 ? 0 : Values[0].Length;
}
