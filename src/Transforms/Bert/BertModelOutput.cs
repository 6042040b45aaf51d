using static TorchSharp.torch;

namespace MLNetExtensions.Transforms.Bert;

/// <summary>The outputs of <see cref="BertModel"/>.</summary>
/// <param name="LastHiddenState">Hidden states of the top encoder layer [batch, sequence, hidden].</param>
/// <param name="PooledOutput">The pooler's output [batch, hidden], or null when the model has no pooler.</param>
public sealed record BertModelOutput(Tensor LastHiddenState, Tensor? PooledOutput);
