using static TorchSharp.torch;

namespace MLNetExtensions.Estimators.Bert;

/// <summary>A batch of packed sequences, padded to the longest one in the batch.</summary>
/// <param name="TokenIds">int64 [batch, length].</param>
/// <param name="AttentionMask">int64 [batch, length], 1 at tokens.</param>
public sealed record MaskedLanguageModelBatch(Tensor TokenIds, Tensor AttentionMask)
{
    /// <summary>Rows in the batch.</summary>
    public long Rows => TokenIds.shape[0];
}
