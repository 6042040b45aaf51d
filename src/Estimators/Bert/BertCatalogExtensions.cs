using MLNetExtensions.Estimators.Bert;
using MLNetExtensions.Estimators.Catalogs;
using MLNetExtensions.Estimators.Plans;
using MLNetExtensions.Transforms.Bert;

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

    /// <summary>BERT masked-LM pre-training of the full-depth baseline with the most used settings; see the options overload.</summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="vocabularyPath">The WordPiece vocabulary file.</param>
    /// <param name="textColumnName">The text column.</param>
    /// <param name="outputColumnName">The embedding column the fitted transformer adds.</param>
    /// <param name="depth">Encoder layers.</param>
    /// <param name="steps">Optimiser steps (warm-up over a tenth of them, at most 100, then linear decay).</param>
    public static BertPretrainingEstimator PretrainBert(
        this TransformsCatalog.TextTransforms catalog,
        string vocabularyPath,
        string textColumnName = "Text",
        string outputColumnName = "Embedding",
        int depth = 4,
        int steps = 1000) =>
        PretrainBert(catalog, new BertPretrainingOptions
        {
            VocabularyPath = vocabularyPath,
            TextColumnName = textColumnName,
            OutputColumnName = outputColumnName,
            Plan = TrainingPlan.FullDepth(depth, steps),
        });

    /// <summary>Multi-stage layerwise training (MSLT) of BERT with the most used settings; see the options overload.</summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="vocabularyPath">The WordPiece vocabulary file.</param>
    /// <param name="textColumnName">The text column.</param>
    /// <param name="outputColumnName">The embedding column the fitted transformer adds.</param>
    /// <param name="startDepth">Encoder layers of the first stage.</param>
    /// <param name="layersPerStage">Layers each later stage adds on top (and trains).</param>
    /// <param name="targetDepth">Encoder layers at the end.</param>
    /// <param name="totalSteps">Optimiser steps of all stages together (warm-up over a tenth of them, at most 100).</param>
    public static MultiStageBertEstimator MultiStageBert(
        this TransformsCatalog.TextTransforms catalog,
        string vocabularyPath,
        string textColumnName = "Text",
        string outputColumnName = "Embedding",
        int startDepth = 2,
        int layersPerStage = 2,
        int targetDepth = 6,
        int totalSteps = 1000) =>
        MultiStageBert(catalog, new MultiStageBertOptions
        {
            VocabularyPath = vocabularyPath,
            TextColumnName = textColumnName,
            OutputColumnName = outputColumnName,
            Stages = new MultiStagePlanSettings
            {
                StartDepth = startDepth,
                LayersPerStage = layersPerStage,
                TargetDepth = targetDepth,
                TotalSteps = totalSteps,
                Schedule = new LearningRateScheduleSettings { WarmupSteps = Math.Min(100, totalSteps / 10) },
            },
        });

    /// <summary>
    /// Coarse-refined (CoRe) pre-training of BERT on a text column: a relaxed BERT (fast attention, low-rank
    /// feed-forward) trains first, is converted into the original BERT and retrained; the fitted transformer maps
    /// text to an <c>Embedding</c> vector.
    /// </summary>
    /// <param name="catalog">The text transforms catalog; its context's seed, GPU settings and log are used.</param>
    /// <param name="options">The options: relaxed model and phases.</param>
    public static CoReBertEstimator CoReBert(this TransformsCatalog.TextTransforms catalog, CoReBertOptions options) =>
        new(CatalogContext.From(catalog), options);

    /// <summary>Coarse-refined (CoRe) pre-training of BERT with the most used settings; see the options overload.</summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="vocabularyPath">The WordPiece vocabulary file.</param>
    /// <param name="textColumnName">The text column.</param>
    /// <param name="outputColumnName">The embedding column the fitted transformer adds.</param>
    /// <param name="depth">Encoder layers.</param>
    /// <param name="relaxedSteps">Steps of the relaxed phase.</param>
    /// <param name="fullSteps">Steps of the full phase.</param>
    /// <param name="feedForwardRank">Rank of the relaxed feed-forward weights.</param>
    /// <param name="attention">The relaxed model's fast attention.</param>
    public static CoReBertEstimator CoReBert(
        this TransformsCatalog.TextTransforms catalog,
        string vocabularyPath,
        string textColumnName = "Text",
        string outputColumnName = "Embedding",
        int depth = 6,
        int relaxedSteps = 700,
        int fullSteps = 300,
        int feedForwardRank = 64,
        FastAttentionKind attention = FastAttentionKind.Linear) =>
        CoReBert(catalog, new CoReBertOptions
        {
            VocabularyPath = vocabularyPath,
            TextColumnName = textColumnName,
            OutputColumnName = outputColumnName,
            CoRe = new CoRePlanSettings
            {
                FeedForwardRank = feedForwardRank,
                Attention = attention,
                Depth = depth,
                RelaxedSteps = relaxedSteps,
                FullSteps = fullSteps,
                RelaxedSchedule = new LearningRateScheduleSettings { PeakLearningRate = 1e-3, WarmupSteps = Math.Min(100, relaxedSteps / 10) },
                FullSchedule = new LearningRateScheduleSettings { PeakLearningRate = 5e-4, WarmupSteps = Math.Min(100, fullSteps / 10) },
            },
        });
}
