using static TorchSharp.torch;

namespace MLNetExtensions.Tests.Training.Support;

/// <summary>A batch of the regression objective.</summary>
/// <param name="Features">Inputs, [batch, features].</param>
/// <param name="Labels">Targets, [batch].</param>
/// <param name="Ids">Row identifiers.</param>
public sealed record RegressionBatch(Tensor Features, Tensor Labels, int[] Ids);
