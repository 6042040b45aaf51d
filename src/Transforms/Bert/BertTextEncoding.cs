using MLNetExtensions.Transforms.Text;
using static TorchSharp.torch;

namespace MLNetExtensions.Transforms.Bert;

/// <summary>
/// Turns texts into BERT input tensors and pooled sequence vectors. Rows are always padded to the full
/// maximum length and small calls get filler rows (<see cref="MinimumTokenRows"/>), so that a row's result does
/// not depend on the other rows of its batch: batched <c>Transform</c> and one-row <c>PredictionEngine</c> calls
/// give bit-identical outputs.
/// </summary>
internal static class BertTextEncoding
{
    /// <summary>
    /// The fewest token rows (rows × maximum length) the encoder runs on; shorter calls get filler rows. Below about
    /// 16 rows libtorch's CPU matrix kernels switch to small-matrix algorithms whose last bits differ (measured with
    /// libtorch 2.10 here); at and above it, a row's result does not depend on how many rows run with it.
    /// </summary>
    public const int MinimumTokenRows = 64;

    /// <summary>How many empty filler texts to add to <paramref name="rows"/> texts so the encoder runs on at least <see cref="MinimumTokenRows"/> token rows.</summary>
    public static int FillerRows(int rows, int maximumLength) => Math.Max(0, ((MinimumTokenRows + maximumLength - 1) / maximumLength) - rows);

    /// <summary>int64 token ids and attention mask [rows, maximumLength] for <paramref name="texts"/>.</summary>
    public static (Tensor TokenIds, Tensor AttentionMask) Encode(WordPieceEncoder encoder, IReadOnlyList<string?> texts, int maximumLength, Device device)
    {
        var ids = new int[texts.Count * maximumLength];
        var mask = new int[texts.Count * maximumLength];
        var segments = new int[maximumLength];
        for (int i = 0; i < texts.Count; i++)
        {
            encoder.EncodeRow(texts[i], null, maximumLength, ids.AsSpan(i * maximumLength, maximumLength), mask.AsSpan(i * maximumLength, maximumLength), segments);
        }

        var shape = new long[] { texts.Count, maximumLength };
        return (tensor(ids, shape).to(int64).to(device), tensor(mask, shape).to(int64).to(device));
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
}
