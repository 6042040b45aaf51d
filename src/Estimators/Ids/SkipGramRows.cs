using Microsoft.ML;

namespace MLNetExtensions.Estimators.Ids;

/// <summary>
/// Cuts item sequences into training rows for the engine. A row holds up to <c>positionsPerRow</c> target positions of
/// one sequence preceded by the C items before them (<see cref="Row.Prefix"/>, context only), so that every window pair
/// (i, j), j − C ≤ i &lt; j, belongs to exactly one row: the row holding j. Pairs are formed from rows in bulk by
/// <see cref="SkipGramBatchBuilder"/>; a sequence of one item gives no pair.
/// </summary>
internal static class SkipGramRows
{
    /// <summary>One training row (a public class so that ML.NET can read it).</summary>
    public sealed class Row
    {
        /// <summary>Item indices: <see cref="Prefix"/> context-only items, then the target positions.</summary>
        public int[] Items { get; set; } = Array.Empty<int>();

        /// <summary>How many leading items are context only.</summary>
        public int Prefix { get; set; }
    }

    /// <summary>The rows of <paramref name="sequences"/>.</summary>
    public static List<Row> Build(IReadOnlyList<int[]> sequences, int window, int positionsPerRow)
    {
        var rows = new List<Row>();
        foreach (var sequence in sequences)
        {
            if (sequence.Length < 2)
            {
                continue;
            }

            for (int start = 0; start < sequence.Length; start += positionsPerRow)
            {
                int prefix = Math.Min(window, start);
                int end = Math.Min(sequence.Length, start + positionsPerRow);
                if (end - start + prefix < 2)
                {
                    continue; // a lone first position: no pair
                }

                rows.Add(new Row { Items = sequence[(start - prefix)..end], Prefix = prefix });
            }
        }

        return rows;
    }

    /// <summary>(target, context) pairs per epoch: both directions of every window pair.</summary>
    public static long PairCount(IReadOnlyList<int[]> sequences, int window)
    {
        long pairs = 0;
        foreach (var sequence in sequences)
        {
            for (int d = 1; d <= window && d < sequence.Length; d++)
            {
                pairs += 2L * (sequence.Length - d);
            }
        }

        return pairs;
    }

    /// <summary>
    /// The rows as a data view that shuffles itself (<see cref="IDataView.CanShuffle"/>): the engine then draws each epoch's
    /// order as a seeded permutation. A view straight from <c>LoadFromEnumerable</c> cannot, and ML.NET's streaming
    /// shuffle that the engine falls back to cost about a second at every epoch start here (its producer task waits for a
    /// thread-pool thread), more than an epoch of training on Online Retail.
    /// </summary>
    public static IDataView ToDataView(MLContext mlContext, List<Row> rows) => mlContext.Data.Cache(mlContext.Data.LoadFromEnumerable(rows));
}
