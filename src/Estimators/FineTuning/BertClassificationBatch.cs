using static TorchSharp.torch;

namespace MLNetExtensions.Estimators.FineTuning;

/// <summary>A batch of texts (or sentence pairs) with their classes.</summary>
/// <param name="TokenIds">int64 [rows, length].</param>
/// <param name="AttentionMask">int64 [rows, length], 1 at tokens.</param>
/// <param name="TokenTypeIds">int64 [rows, length], 1 in the second text of a pair.</param>
/// <param name="Labels">int64 [rows], the 0-based class of each row.</param>
internal sealed record BertClassificationBatch(Tensor TokenIds, Tensor AttentionMask, Tensor TokenTypeIds, Tensor Labels);
