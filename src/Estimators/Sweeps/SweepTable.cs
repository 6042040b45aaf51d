namespace MLNetExtensions.Estimators.Sweeps;

/// <summary>A sweep's trials as text cells, best first, for printing (for example with Spectre.Console).</summary>
public sealed class SweepTable
{
    internal SweepTable(IReadOnlyList<string> columns, IReadOnlyList<IReadOnlyList<string>> rows)
    {
        Columns = columns;
        Rows = rows;
    }

    /// <summary>The column headers.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>One row per trial, as many cells as <see cref="Columns"/>: ranked trials by rank, then the others by id.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Rows { get; }
}
