namespace MLNetExtensions.Estimators.Data;

/// <summary>The content of a <c>.ts</c> file: its header and its series in file order.</summary>
/// <param name="Header">The header.</param>
/// <param name="Series">The labelled series.</param>
public sealed record TimeSeriesDataset(TimeSeriesHeader Header, IReadOnlyList<TimeSeriesRecord> Series);
