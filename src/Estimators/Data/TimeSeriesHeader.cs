namespace MLNetExtensions.Estimators.Data;

/// <summary>The header of an sktime <c>.ts</c> file, as declared by its <c>@</c> lines.</summary>
/// <param name="ProblemName">The <c>@problemName</c> value, or an empty string when absent.</param>
/// <param name="TimeStamps">The <c>@timeStamps</c> flag (only <see langword="false"/> is supported).</param>
/// <param name="Missing">The <c>@missing</c> flag: when true, <c>?</c> and <c>NaN</c> values are allowed and read as <see cref="float.NaN"/>.</param>
/// <param name="Univariate">The <c>@univariate</c> flag (a univariate file has 1 dimension).</param>
/// <param name="Dimensions">The number of dimensions: <c>@dimensions</c> (or <c>@dimension</c>) when given, 1 for a univariate file, otherwise the number found on the first series.</param>
/// <param name="EqualLength">The <c>@equalLength</c> flag: when true every series must have the same length.</param>
/// <param name="SeriesLength">The <c>@seriesLength</c> value, or <see langword="null"/> when absent.</param>
/// <param name="ClassLabels">The class labels declared by <c>@classLabel true …</c>, in declared order.</param>
public sealed record TimeSeriesHeader(
    string ProblemName,
    bool TimeStamps,
    bool Missing,
    bool Univariate,
    int Dimensions,
    bool EqualLength,
    int? SeriesLength,
    IReadOnlyList<string> ClassLabels);
