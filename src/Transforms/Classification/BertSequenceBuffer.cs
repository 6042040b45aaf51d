using MLNetExtensions.Transforms.Text;
using static TorchSharp.torch;

namespace MLNetExtensions.Transforms.Classification;

/// <summary>
/// Accumulates texts (or sentence pairs) as WordPiece rows of exactly <see cref="MaximumLength"/> tokens and turns
/// them into BERT input tensors. Training batches and inference batches are built by this one class, so a model
/// sees the same encoding in both; rows are always padded to the full length, so a row's result does not depend
/// on the other rows of its batch.
/// </summary>
internal sealed class BertSequenceBuffer
{
    private readonly WordPieceEncoder _encoder;
    private readonly List<int> _ids = new();
    private readonly List<int> _mask = new();
    private readonly List<int> _segments = new();
    private readonly int[] _rowIds;
    private readonly int[] _rowMask;
    private readonly int[] _rowSegments;

    /// <summary>Creates an empty buffer.</summary>
    public BertSequenceBuffer(WordPieceEncoder encoder, int maximumLength)
    {
        _encoder = encoder;
        MaximumLength = maximumLength;
        _rowIds = new int[maximumLength];
        _rowMask = new int[maximumLength];
        _rowSegments = new int[maximumLength];
    }

    /// <summary>Tokens per row, including [CLS] and [SEP].</summary>
    public int MaximumLength { get; }

    /// <summary>Rows added since the last <see cref="Clear"/>.</summary>
    public int Count { get; private set; }

    /// <summary>Encodes one row: <c>[CLS] first [SEP]</c>, or <c>[CLS] first [SEP] second [SEP]</c> when <paramref name="second"/> is not null.</summary>
    public void Add(string? first, string? second)
    {
        _encoder.EncodeRow(first, second, MaximumLength, _rowIds, _rowMask, _rowSegments);
        _ids.AddRange(_rowIds);
        _mask.AddRange(_rowMask);
        _segments.AddRange(_rowSegments);
        Count++;
    }

    /// <summary>int64 token ids, attention mask and token type ids, each [rows, MaximumLength], on <paramref name="device"/>.</summary>
    public (Tensor TokenIds, Tensor AttentionMask, Tensor TokenTypeIds) ToTensors(Device device)
    {
        var shape = new long[] { Count, MaximumLength };
        return (ToTensor(_ids, shape, device), ToTensor(_mask, shape, device), ToTensor(_segments, shape, device));
    }

    /// <summary>Forgets every row.</summary>
    public void Clear()
    {
        _ids.Clear();
        _mask.Clear();
        _segments.Clear();
        Count = 0;
    }

    private static Tensor ToTensor(List<int> values, long[] shape, Device device)
    {
        var longs = new long[values.Count];
        for (int i = 0; i < longs.Length; i++)
        {
            longs[i] = values[i];
        }

        return tensor(longs, shape).to(device);
    }
}
