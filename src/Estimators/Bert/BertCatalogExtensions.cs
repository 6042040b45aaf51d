using MLNetExtensions.Estimators.Bert;
using MLNetExtensions.Estimators.Catalogs;

// In ML.NET's own namespace, as ML.NET's extension packages do: `using Microsoft.ML;` is all a pipeline needs.
namespace Microsoft.ML;

/// <summary>BERT pre-training estimators on <c>mlContext.Transforms.Text</c>.</summary>
public static class BertCatalogExtensions
{
    /// <summary>
    /// BERT masked-LM pre-training on a text column with a staged-training plan (default: the full-depth baseline);
    /// the fitted transformer maps text to an <c>Embedding</c> vector.
    /// </summary>
    /// <param name="catalog">The text transforms catalog; its context's seed, GPU settings and log are used.</param>
    /// <param name="options">The options.</param>
    public static BertPretrainingEstimator PretrainBert(this TransformsCatalog.TextTransforms catalog, BertPretrainingOptions options) =>
        new(CatalogContext.From(catalog), options);

    /// <summary>
    /// Multi-stage layerwise training (MSLT) of BERT on a text column: grow the encoder stage by stage, training only
    /// the newly added top layers; the fitted transformer maps text to an <c>Embedding</c> vector.
    /// </summary>
    /// <param name="catalog">The text transforms catalog; its context's seed, GPU settings and log are used.</param>
    /// <param name="options">The options, with the MSLT stage settings.</param>
    public static MultiStageBertEstimator MultiStageBert(this TransformsCatalog.TextTransforms catalog, MultiStageBertOptions options) =>
        new(CatalogContext.From(catalog), options);
}
