using MLNetExtensions.Transforms.Text;
using static TorchSharp.torch;

namespace MLNetExtensions.Transforms.Bert;

/// <summary>
/// Turns texts into BERT input tensors and pooled sequence vectors so that a row's result does not depend on the
/// other rows of its batch: batched <c>Transform</c> and one-row <c>PredictionEngine</c> calls give bit-identical
/// outputs. Each row is padded to its own length bucket, a multiple of <see cref="BucketWidth"/> decided by the row
/// alone, and the rows of one bucket run together (<see cref="GroupByLength"/>); small groups get filler rows
/// (<see cref="MinimumTokenRows"/>).
/// </summary>
internal static class BertTextEncoding
{
    /// <summary>
    /// The fewest token rows (rows × maximum length) the encoder runs on; shorter calls get filler rows. Below about
    /// 16 rows libtorch's CPU matrix kernels switch to small-matrix algorithms whose last bits differ (measured with
    /// libtorch 2.10 here); at and above it, a row's result does not depend on how many rows run with it.
    /// </summary>
    public const int MinimumTokenRows = 64;

    /// <summary>
    /// Granularity of the per-row padded lengths of <see cref="GroupByLength"/>: a row of n tokens runs padded to n
    /// rounded up to a multiple of 8 (at most the maximum length). Padding to a length that depends on the row alone keeps
    /// results independent of the batch, while costing on average 3.5 padding tokens per row instead of the distance to
    /// the maximum length.
    /// </summary>
    public const int BucketWidth = 8;

    /// <summary>How many empty filler texts to add to <paramref name="rows"/> texts so the encoder runs on at least <see cref="MinimumTokenRows"/> token rows.</summary>
    public static int FillerRows(int rows, int maximumLength) => Math.Max(0, ((MinimumTokenRows + maximumLength - 1) / maximumLength) - rows);

    /// <summary>
    /// Encodes <paramref name="texts"/> and groups them by padded length (see <see cref="BucketWidth"/>): each group's
    /// tensors are [rows + fillers, length] with the group's rows first, and <c>Indices</c> maps them back to
    /// <paramref name="texts"/>. Groups come shortest first.
    /// </summary>
    public static IEnumerable<LengthGroup> GroupByLength(WordPieceEncoder encoder, IReadOnlyList<string?> texts, int maximumLength)
    {
        var ids = new int[texts.Count][];
        var masks = new int[texts.Count][];
        var buckets = new int[texts.Count];
        var segments = new int[maximumLength];
        for (int i = 0; i < texts.Count; i++)
        {
            ids[i] = new int[maximumLength];
            masks[i] = new int[maximumLength];
            encoder.EncodeRow(texts[i], null, maximumLength, ids[i], masks[i], segments);
            int tokens = masks[i].Count(value => value != 0);
            buckets[i] = Math.Min(maximumLength, (tokens + BucketWidth - 1) / BucketWidth * BucketWidth);
        }

        var filler = new int[maximumLength];
        var fillerMask = new int[maximumLength];
        encoder.EncodeRow(string.Empty, null, maximumLength, filler, fillerMask, segments);
        foreach (var group in Enumerable.Range(0, texts.Count).GroupBy(i => buckets[i]).OrderBy(g => g.Key))
        {
            int length = group.Key;
            var indices = group.ToArray();
            int rows = indices.Length + FillerRows(indices.Length, length);
            var flatIds = new long[rows * length];
            var flatMask = new long[rows * length];
            for (int row = 0; row < rows; row++)
            {
                var (sourceIds, sourceMask) = row < indices.Length ? (ids[indices[row]], masks[indices[row]]) : (filler, fillerMask);
                for (int t = 0; t < length; t++)
                {
                    flatIds[(row * length) + t] = sourceIds[t];
                    flatMask[(row * length) + t] = sourceMask[t];
                }
            }

            yield return new LengthGroup(indices, length, rows, flatIds, flatMask);
        }
    }

    /// <summary>[rows, hidden] pooled vectors of the final hidden states.</summary>
    public static Tensor Pool(Tensor hidden, Tensor attentionMask, BertPooling pooling)
    {
        if (pooling == BertPooling.Cls)
        {
            return hidden.select(1, 0);
        }

        var weights = attentionMask.to(hidden.dtype).unsqueeze(-1);
        return (hidden * weights).sum(1) / weights.sum(1).clamp_min(1);
    }

    /// <summary>Copies a [rows, width] float tensor into one array per row.</summary>
    public static float[][] ToRows(Tensor values)
    {
        var flat = values.detach().cpu().contiguous().data<float>().ToArray();
        int width = (int)values.shape[1];
        var rows = new float[values.shape[0]][];
        for (int i = 0; i < rows.Length; i++)
        {
            rows[i] = flat.AsSpan(i * width, width).ToArray();
        }

        return rows;
    }

    /// <summary>Rows of one padded length: <see cref="Indices"/> in the caller's list, then filler rows up to <see cref="Rows"/>.</summary>
    public sealed record LengthGroup(int[] Indices, int Length, int Rows, long[] TokenIds, long[] AttentionMask)
    {
        /// <summary>int64 token ids and attention mask [<see cref="Rows"/>, <see cref="Length"/>] on <paramref name="device"/>.</summary>
        public (Tensor TokenIds, Tensor AttentionMask) ToTensors(Device device) =>
            (tensor(TokenIds, Rows, Length).to(device), tensor(AttentionMask, Rows, Length).to(device));
    }
}
