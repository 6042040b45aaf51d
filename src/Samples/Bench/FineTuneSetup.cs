namespace MLNetExtensions.Samples.Bench;

/// <summary>Fine-tuning settings shared by the methods a benchmark compares.</summary>
internal sealed record FineTuneSetup
{
    public required int MaximumLength { get; init; }

    public required int BatchSize { get; init; }

    public required int Epochs { get; init; }

    public required double LearningRate { get; init; }

    public int Seed { get; init; } = 7;

    public int SplitSeed { get; init; } = 2015;
}
