namespace MLNetExtensions.Transforms.Sequences;

/// <summary>How a fitted persistent-memory RNN reads its input and names its outputs (saved in model files).</summary>
public sealed record PersistentMemoryRnnSettings
{
    /// <summary>The float-vector column holding each sequence (n / D steps of D = <see cref="PersistentMemoryRnnConfig.StepSize"/> features).</summary>
    public required string FeatureColumnName { get; init; }

    /// <summary>The number of classes of a multiclass classifier, or null for regression.</summary>
    public int? NumberOfClasses { get; init; }

    /// <summary>The score column: class probabilities (multiclass) or the predicted value (regression).</summary>
    public string ScoreColumnName { get; init; } = "Score";

    /// <summary>The predicted-label column (multiclass only).</summary>
    public string PredictedLabelColumnName { get; init; } = "PredictedLabel";

    /// <summary>
    /// An optional output column with the addressing weights of every step (steps × K values, time-major: which memory
    /// slot each step read), or null for none. Persistent-memory cells only.
    /// </summary>
    public string? AddressingColumnName { get; init; }

    /// <summary>The label's key values as invariant text, one per class in key order (multiclass only), or null.</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>The type of the label's key values (<c>Text</c>, <c>Boolean</c>, <c>Single</c>, <c>Int32</c>, …); null: text, as in model files written before other types were kept.</summary>
    public string? ClassNameType { get; init; }
}
