using MLNetExtensions.Transforms.Bert;
using MLNetExtensions.Transforms.Bert.Checkpoints;

// In ML.NET's own namespace, as ML.NET's extension packages do: `using Microsoft.ML;` is all a pipeline needs.
namespace Microsoft.ML;

/// <summary>Sentence embeddings from pre-trained BERT checkpoints on <c>mlContext.Transforms.Text</c>.</summary>
public static class BertCheckpointCatalogExtensions
{
    /// <summary>Sentence embeddings from a BERT checkpoint, with the given options.</summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="options">The checkpoint, columns and pooling.</param>
    /// <returns>The estimator.</returns>
    public static BertCheckpointEmbeddingEstimator ApplyBertCheckpoint(this TransformsCatalog.TextTransforms catalog, BertCheckpointEmbeddingOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new BertCheckpointEmbeddingEstimator(options);
    }

    /// <summary>
    /// Sentence embeddings of <paramref name="inputColumnName"/> into <paramref name="outputColumnName"/> (a vector of the
    /// checkpoint's hidden size) from the checkpoint at <paramref name="checkpointPath"/>: a Hugging Face directory or an
    /// <c>.onnx</c> file with <c>vocab.txt</c> beside it.
    /// </summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="checkpointPath">The Hugging Face directory or ONNX file.</param>
    /// <param name="outputColumnName">The vector column added.</param>
    /// <param name="inputColumnName">The text column.</param>
    /// <param name="pooling">Mean over real tokens (default) or [CLS].</param>
    /// <param name="normalize">Scale each vector to unit L2 norm.</param>
    /// <param name="maximumLength">Tokens per row including [CLS] and [SEP]; null: 128, or the checkpoint's maximum when smaller.</param>
    /// <returns>The estimator.</returns>
    public static BertCheckpointEmbeddingEstimator ApplyBertCheckpoint(
        this TransformsCatalog.TextTransforms catalog,
        string checkpointPath,
        string outputColumnName = "Features",
        string inputColumnName = "Text",
        BertPooling pooling = BertPooling.Mean,
        bool normalize = true,
        int? maximumLength = null) =>
        catalog.ApplyBertCheckpoint(new BertCheckpointEmbeddingOptions
        {
            CheckpointPath = checkpointPath,
            OutputColumnName = outputColumnName,
            InputColumnName = inputColumnName,
            Pooling = pooling,
            Normalize = normalize,
            MaximumLength = maximumLength,
        });
}
