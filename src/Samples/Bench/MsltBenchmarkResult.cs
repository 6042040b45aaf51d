namespace MLNetExtensions.Samples.Bench;

/// <summary>The model a benchmark trains.</summary>
internal sealed record ModelDescription(int Layers, int HiddenSize, int AttentionHeads, int IntermediateSize, int SequenceLength, int VocabularySize, int BatchSize, int TotalSteps, long Parameters);

/// <summary>One stage's measurements.</summary>
internal sealed record StageResult(int Depth, int TrainableLayers, long Steps, double MsPerStep, double PredictedMsPerStep, double ValMlmLossAtEnd);

/// <summary>One method's results.</summary>
internal sealed record MethodResult
{
    public required string Plan { get; init; }

    public required double WallSeconds { get; init; }

    public required long Steps { get; init; }

    public required double FinalValMlmLoss { get; init; }

    public required double FinalValMlmAccuracy { get; init; }

    public required double? SecondsToBaselineFinalLoss { get; init; }

    public required double FinetuneAccuracy { get; init; }

    public required IReadOnlyList<StageResult> Stages { get; init; }
}

/// <summary>artifacts/bench/mslt.json.</summary>
internal sealed record MsltBenchmarkResult
{
    public required bool Quick { get; init; }

    public required ModelDescription Model { get; init; }

    public required int TrainingSequences { get; init; }

    public required int ValidationSequences { get; init; }

    public required string TimingNote { get; init; }

    public required IReadOnlyDictionary<string, MethodResult> Methods { get; init; }

    public required double Speedup { get; init; }

    public required IReadOnlyDictionary<string, double> SpeedupByMethod { get; init; }

    public required string MsltPlan { get; init; }
}
