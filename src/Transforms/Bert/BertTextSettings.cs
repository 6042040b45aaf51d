namespace MLNetExtensions.Transforms.Bert;

/// <summary>How a fitted BERT transformer reads text and names its columns (saved in model files).</summary>
/// <param name="InputColumnName">The text column.</param>
/// <param name="OutputColumnName">The column added.</param>
/// <param name="MaximumLength">Tokens per row including [CLS] and [SEP]; longer text is truncated.</param>
/// <param name="Pooling">How hidden states become one vector.</param>
/// <param name="Normalize">Whether each pooled vector is scaled to unit L2 norm (as sentence-transformers models expect).</param>
public sealed record BertTextSettings(string InputColumnName, string OutputColumnName, int MaximumLength, BertPooling Pooling, bool Normalize = false);
