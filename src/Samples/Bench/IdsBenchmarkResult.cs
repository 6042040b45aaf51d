using System.Text.Json.Serialization;

namespace MLNetExtensions.Samples.Bench;

/// <summary>artifacts/bench/ids.json.</summary>
internal sealed class IdsBenchmarkResult
{
    public bool Quick { get; init; }
    public string Protocol { get; init; } = string.Empty;
    public Dictionary<string, IdsDatasetResult> Datasets { get; init; } = new();
    public Dictionary<string, bool?> Targets { get; init; } = new();
    public double TotalSeconds { get; init; }
    public double PeakRssMb { get; init; }
}

/// <summary>One dataset's figures.</summary>
internal sealed class IdsDatasetResult
{
    public int Users { get; init; }
    public int Items { get; init; }
    public int ColdItems { get; init; }
    public int TestCases { get; init; }
    public int ColdTestCases { get; init; }
    public long TrainingInteractions { get; init; }
    /// <summary>(target, context) pairs within the window, both directions: what our models train on per epoch.</summary>
    public long TrainingPairsPerEpoch { get; init; }
    /// <summary>The pairs fastText trains on per epoch, in expectation over its subsampling and window draws (null: fastText did not run).</summary>
    public double? FasttextPairsPerEpoch { get; init; }
    public List<string> AttributeColumns { get; init; } = new();
    public Dictionary<string, IdsMethodResult?> Methods { get; init; } = new();
    /// <summary>item2vec's negative sampler, chosen by validation HR@10.</summary>
    [JsonPropertyName("item2vec_sampler")]
    public string Item2VecSampler { get; init; } = string.Empty;
    /// <summary>item2vec's Adam learning rate, chosen by validation HR@10.</summary>
    [JsonPropertyName("item2vec_learning_rate")]
    public double Item2VecLearningRate { get; init; }
    /// <summary>Validation HR@10 of item2vec per candidate, keyed "sampler/learning rate/α/item vector/rule".</summary>
    [JsonPropertyName("item2vec_validation_hr_at_10")]
    public Dictionary<string, double> Item2VecValidationHrAt10 { get; init; } = new();
    /// <summary>The full model's negative sampler, chosen by validation HR@10.</summary>
    public string FullModelSampler { get; init; } = string.Empty;
    /// <summary>The full model's Adam learning rate, chosen by validation HR@10.</summary>
    public double FullModelLearningRate { get; init; }
    /// <summary>The full model's α, chosen by validation HR@10 among the candidates.</summary>
    public double FullModelAlpha { get; init; }
    /// <summary>The full model's item vector (<c>Item</c> or <c>ItemAndAttributes</c>), chosen by validation HR@10.</summary>
    public string FullModelItemVector { get; init; } = string.Empty;
    /// <summary>Validation HR@10 of the full model per candidate, keyed "sampler/learning rate/α/item vector/rule" (item vector "joint" for next-item rules).</summary>
    [JsonPropertyName("full_model_validation_hr_at_10")]
    public Dictionary<string, double> FullModelValidationHrAt10 { get; init; } = new();
    /// <summary>item2vec's ranking rule ("cosine/last T" or "next_item/last T"), chosen by validation HR@10.</summary>
    [JsonPropertyName("item2vec_scoring")]
    public string Item2VecScoring { get; init; } = string.Empty;
    /// <summary>The full model's ranking rule, chosen by validation HR@10.</summary>
    public string FullModelScoring { get; init; } = string.Empty;
    /// <summary>fastText's ranking rule, chosen by validation HR@10 (null: fastText did not run).</summary>
    public string? FasttextScoring { get; init; }
    /// <summary>Validation HR@10 of fastText per ranking rule.</summary>
    [JsonPropertyName("fasttext_validation_hr_at_10")]
    public Dictionary<string, double> FasttextValidationHrAt10 { get; init; } = new();
    public string? FasttextReason { get; init; }
}

/// <summary>One method on one dataset (the field names: snake_case would write <c>hr_at10</c>).</summary>
internal sealed class IdsMethodResult
{
    [JsonPropertyName("hr_at_10")]
    public double HrAt10 { get; init; }
    [JsonPropertyName("mrr_at_10")]
    public double MrrAt10 { get; init; }
    [JsonPropertyName("cold_hr_at_10")]
    public double? ColdHrAt10 { get; init; }
    [JsonPropertyName("validation_hr_at_10")]
    public double ValidationHrAt10 { get; init; }
    /// <summary>How a vector method ranked: "cosine/last T" or "next_item/last T" (null for popularity and content).</summary>
    public string? Scoring { get; init; }
    public double TrainSeconds { get; init; }
    /// <summary>Pairs the method trains on × epochs / training seconds.</summary>
    public double? PairsPerSecond { get; init; }
    /// <summary>Every window pair of the training sequences × epochs / training seconds, whatever the method skips.</summary>
    public double? WindowPairsPerSecond { get; init; }
}
