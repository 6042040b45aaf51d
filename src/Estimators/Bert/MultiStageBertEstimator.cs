using Microsoft.ML;

namespace MLNetExtensions.Estimators.Bert;

/// <summary>
/// Multi-stage layerwise training (MSLT) of BERT (Yang et al. 2020): training starts with a few encoder layers;
/// each stage adds layers on top (copies of the current top layers by default) and trains only those and the
/// MLM head, while the layers below run forward-only under no_grad. Returns the same text → <c>Embedding</c>
/// transformer as full-depth pre-training, recording the plan and per-stage metrics, and resumes from a
/// checkpoint in the middle of any stage. Create it with <c>mlContext.Transforms.Text.MultiStageBert(options)</c>.
/// </summary>
public sealed class MultiStageBertEstimator : BertPretrainingEstimator
{
    internal MultiStageBertEstimator(MLContext mlContext, MultiStageBertOptions options)
        : base(mlContext, options)
    {
    }
}
