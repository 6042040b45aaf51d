using static TorchSharp.torch;

namespace MLNetExtensions.Estimators.Ids;

/// <summary>
/// One update's rows, padded to a rectangle: the pairs are implied (positions p and q of a row, 1 ≤ |p − q| ≤ C, pair
/// when the later of the two is a target position), so they are never listed one by one.
/// </summary>
/// <param name="Items">Item indices, [rows, length] int64; padding holds item 0.</param>
/// <param name="IsTarget">Whether each position is a target position, [rows, length] bool (false for the context-only prefix and padding).</param>
internal sealed record SkipGramBatch(Tensor Items, Tensor IsTarget);
