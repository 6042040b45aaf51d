namespace MLNetExtensions.Transforms.Bert.Checkpoints;

/// <summary>
/// Options of <see cref="BertCheckpointEmbeddingEstimator"/>: which checkpoint, which columns, and how the final hidden
/// states become one sentence vector.
/// </summary>
public sealed class BertCheckpointEmbeddingOptions
{
    /// <summary>
    /// The checkpoint: a Hugging Face directory (<c>config.json</c>, <c>model.safetensors</c>, <c>vocab.txt</c>) or an
    /// <c>.onnx</c> file with <c>vocab.txt</c> beside it. Read at <c>Fit</c>. Exactly one of this and <see cref="Checkpoint"/>.
    /// </summary>
    public string? CheckpointPath { get; set; }

    /// <summary>
    /// An already imported checkpoint (e.g. <see cref="BertCheckpoint.LoadOnnx"/> from a stream); its tensors are copied at
    /// <c>Fit</c> and it stays the caller's to dispose. Exactly one of this and <see cref="CheckpointPath"/>.
    /// </summary>
    public BertCheckpoint? Checkpoint { get; set; }

    /// <summary>The text column (String).</summary>
    public string InputColumnName { get; set; } = "Text";

    /// <summary>The sentence-embedding column added: a vector of the checkpoint's hidden size (Single).</summary>
    public string OutputColumnName { get; set; } = "Features";

    /// <summary>
    /// Tokens per row including [CLS] and [SEP]; longer text is truncated. At most the checkpoint's
    /// <c>max_position_embeddings</c>; null uses 128 or that maximum, whichever is smaller.
    /// </summary>
    public int? MaximumLength { get; set; }

    /// <summary>How the final hidden states become one vector: the mean over real tokens (sentence-transformers' default) or [CLS].</summary>
    public BertPooling Pooling { get; set; } = BertPooling.Mean;

    /// <summary>Scale each vector to unit L2 norm (sentence-transformers models such as all-MiniLM-L6-v2 are used so).</summary>
    public bool Normalize { get; set; } = true;

    /// <summary>Threads for torch's CPU kernels (process-wide); null uses every core.</summary>
    public int? NumberOfThreads { get; set; }

    /// <summary>Checks the options; the exception names the option.</summary>
    /// <exception cref="ArgumentException">No checkpoint or both, an empty column name, or a maximum length below 2.</exception>
    public void Validate()
    {
        if ((CheckpointPath is null) == (Checkpoint is null))
        {
            throw new ArgumentException(
                "Set exactly one of BertCheckpointEmbeddingOptions.CheckpointPath (a Hugging Face directory or an .onnx file) and BertCheckpointEmbeddingOptions.Checkpoint (an imported checkpoint).",
                nameof(CheckpointPath));
        }

        if (string.IsNullOrWhiteSpace(InputColumnName))
        {
            throw new ArgumentException("BertCheckpointEmbeddingOptions.InputColumnName must name a text column.", nameof(InputColumnName));
        }

        if (string.IsNullOrWhiteSpace(OutputColumnName))
        {
            throw new ArgumentException("BertCheckpointEmbeddingOptions.OutputColumnName must name the column to add.", nameof(OutputColumnName));
        }

        if (MaximumLength is < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(MaximumLength), MaximumLength, "BertCheckpointEmbeddingOptions.MaximumLength must be at least 2 ([CLS] and [SEP]).");
        }

        if (!Enum.IsDefined(Pooling))
        {
            throw new ArgumentOutOfRangeException(nameof(Pooling), Pooling, "BertCheckpointEmbeddingOptions.Pooling must be Mean or Cls.");
        }
    }
}
