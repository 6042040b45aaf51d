using Microsoft.ML;

namespace MLNetExtensions.Estimators.Bert;

/// <summary>BERT pre-training estimators on <c>mlContext.Transforms.Text</c>.</summary>
public static class BertCatalogExtensions
{
    /// <summary>
    /// BERT masked-LM pre-training on a text column with a staged-training plan (default: the full-depth baseline);
    /// the fitted transformer maps text to an <c>Embedding</c> vector.
    /// </summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="mlContext">The context: seed, GPU settings and log (ML.NET does not let extensions reach a catalog's context).</param>
    /// <param name="options">The options.</param>
    public static BertPretrainingEstimator PretrainBert(this TransformsCatalog.TextTransforms catalog, MLContext mlContext, BertPretrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new BertPretrainingEstimator(mlContext, options);
    }

    /// <summary>
    /// Multi-stage layerwise training (MSLT) of BERT on a text column: grow the encoder stage by stage, training only
    /// the newly added top layers; the fitted transformer maps text to an <c>Embedding</c> vector.
    /// </summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="mlContext">The context: seed, GPU settings and log.</param>
    /// <param name="options">The options, with the MSLT stage settings.</param>
    public static MultiStageBertEstimator MultiStageBert(this TransformsCatalog.TextTransforms catalog, MLContext mlContext, MultiStageBertOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new MultiStageBertEstimator(mlContext, options);
    }
}
