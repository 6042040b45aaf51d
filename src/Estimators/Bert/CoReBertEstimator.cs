using Microsoft.ML;

namespace MLNetExtensions.Estimators.Bert;

/// <summary>
/// Coarse-refined (CoRe) pre-training of BERT (Yang et al. 2020): a relaxed BERT — fast attention with the full
/// layer's projections, feed-forward weights factorised into two low-rank matrices — trains first; it is then
/// converted into the original BERT (factorised weights multiplied out, everything else copied) and retrained.
/// Returns the same text → <c>Embedding</c> transformer as the other BERT estimators, holding the original BERT;
/// logs the parameter count and FLOPs per step of both models; resumes from a checkpoint in either phase.
/// Create it with <c>mlContext.Transforms.Text.CoReBert(options)</c>.
/// </summary>
public sealed class CoReBertEstimator : BertPretrainingEstimator
{
    internal CoReBertEstimator(MLContext mlContext, CoReBertOptions options)
        : base(mlContext, options)
    {
    }
}
