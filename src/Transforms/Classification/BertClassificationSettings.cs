using MLNetExtensions.Transforms.Bert;

namespace MLNetExtensions.Transforms.Classification;

/// <summary>How a fine-tuned BERT classifier reads text and names its columns (saved in model files).</summary>
public sealed record BertClassificationSettings
{
    /// <summary>The text column.</summary>
    public required string TextColumnName { get; init; }

    /// <summary>The second text column of sentence pairs (<c>[CLS] a [SEP] b [SEP]</c>, segment ids 0 and 1), or null.</summary>
    public string? SecondTextColumnName { get; init; }

    /// <summary>Tokens per row including [CLS] and [SEP]; longer text is truncated.</summary>
    public required int MaximumLength { get; init; }

    /// <summary>Number of classes: 2 for binary classification, the label's key count for multiclass.</summary>
    public required int NumberOfClasses { get; init; }

    /// <summary>How the head pools the sequence (files written before this setting existed used [CLS]).</summary>
    public BertPooling Pooling { get; init; } = BertPooling.Cls;

    /// <summary>The score column added.</summary>
    public string ScoreColumnName { get; init; } = "Score";

    /// <summary>The predicted-label column added.</summary>
    public string PredictedLabelColumnName { get; init; } = "PredictedLabel";

    /// <summary>The probability column added (binary classification only).</summary>
    public string ProbabilityColumnName { get; init; } = "Probability";

    /// <summary>
    /// The label's key values as invariant text, one per class in key order (multiclass only), or null. When present
    /// they are attached to the outputs as key values (predicted label, in <see cref="ClassNameType"/>) and slot names
    /// (score), as ML.NET's own trainers do, so that <c>MapKeyToValue</c> turns predictions back into the original labels.
    /// </summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>The type of the label's key values (<c>Text</c>, <c>Boolean</c>, <c>Single</c>, <c>Int32</c>, …); null: text, as in model files written before other types were kept.</summary>
    public string? ClassNameType { get; init; }
}
