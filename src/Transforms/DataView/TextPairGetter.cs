using Microsoft.ML;

namespace MLNetExtensions.Transforms.DataView;

/// <summary>
/// Reads one text column, or a pair of them (sentence pairs), from the current row of a <see cref="DataViewRow"/>.
/// ML.NET's missing text is the empty string.
/// </summary>
internal sealed class TextPairGetter
{
    private readonly ValueGetter<ReadOnlyMemory<char>> _first;
    private readonly ValueGetter<ReadOnlyMemory<char>>? _second;

    /// <summary>Creates the getters of <paramref name="firstColumn"/> and, when not null, <paramref name="secondColumn"/>.</summary>
    public TextPairGetter(DataViewRow row, string firstColumn, string? secondColumn)
    {
        _first = row.GetGetter<ReadOnlyMemory<char>>(row.Schema[firstColumn]);
        if (secondColumn is not null)
        {
            _second = row.GetGetter<ReadOnlyMemory<char>>(row.Schema[secondColumn]);
        }
    }

    /// <summary>The current row's text(s); <c>Second</c> is null when no second column was given.</summary>
    public (string First, string? Second) Read()
    {
        ReadOnlyMemory<char> value = default;
        _first(ref value);
        string first = value.ToString();
        if (_second is null)
        {
            return (first, null);
        }

        _second(ref value);
        return (first, value.ToString());
    }
}
