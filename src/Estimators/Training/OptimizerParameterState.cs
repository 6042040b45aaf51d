using static TorchSharp.torch;

namespace MLNetExtensions.Estimators.Training;

/// <summary>AdamW state of one parameter, as held in a checkpoint.</summary>
/// <param name="Step">Updates this parameter has received (AdamW's per-parameter step, used for bias correction).</param>
/// <param name="ExpAvg">First moment (running mean of gradients).</param>
/// <param name="ExpAvgSq">Second moment (running mean of squared gradients).</param>
public sealed record OptimizerParameterState(long Step, Tensor ExpAvg, Tensor ExpAvgSq);
