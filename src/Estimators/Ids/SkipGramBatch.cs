using static TorchSharp.torch;

namespace MLNetExtensions.Estimators.Ids;

/// <summary>
/// One update's rows, flattened: the item at every position, the row it belongs to and whether it is a target position
/// (not a context-only prefix). Window pairs are the positions j − d, j (d ≤ C) of one row with j a target position.
/// </summary>
/// <param name="Items">Item index per position, [n] int64.</param>
/// <param name="Rows">Row per position, [n] int32.</param>
/// <param name="IsTarget">Whether the position is a target position, [n] bool.</param>
internal sealed record SkipGramBatch(Tensor Items, Tensor Rows, Tensor IsTarget)
{
    /// <summary>Which pairs (j − d, j) are window pairs, for d = 1…<paramref name="window"/>: [n − d] bool each (fewer when rows are short).</summary>
    public IReadOnlyList<Tensor> ValidPairs(int window)
    {
        long n = Items.shape[0];
        var valid = new List<Tensor>();
        for (int d = 1; d <= window && d < n; d++)
        {
            valid.Add(Rows.narrow(0, d, n - d).eq(Rows.narrow(0, 0, n - d)).logical_and(IsTarget.narrow(0, d, n - d)));
        }

        return valid;
    }
}
