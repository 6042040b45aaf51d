using static TorchSharp.torch;

namespace MLNetExtensions.Estimators.Ids;

/// <summary>One update's pairs: target and context item indices (both directions of each window pair), and the target positions of the rows (for the structural term).</summary>
/// <param name="Targets">Target items, [P] int64.</param>
/// <param name="Contexts">Context items, [P] int64.</param>
/// <param name="Anchors">The items at the rows' target positions, [Q] int64.</param>
internal sealed record SkipGramBatch(Tensor Targets, Tensor Contexts, Tensor Anchors);
