using MLNetExtensions.Transforms.Bert;

namespace MLNetExtensions.Samples.Bench;

/// <summary>Fine-tuning settings shared by the methods a benchmark compares.</summary>
internal sealed record FineTuneSetup
{
    public required int MaximumLength { get; init; }

    public required int BatchSize { get; init; }

    public required int Epochs { get; init; }

    public required double LearningRate { get; init; }

    /// <summary>How the classifier head pools the sequence.</summary>
    public BertPooling Pooling { get; init; } = BertPooling.Cls;

    /// <summary>Dropout of the encoder and head while fine-tuning (both starts alike), or null to keep the encoder's.</summary>
    public double? Dropout { get; init; }

    public int Seed { get; init; } = 7;

    /// <summary>Seed of the 80/20 train/test split of the sentiment sentences.</summary>
    public int SplitSeed { get; init; } = 2015;

    /// <summary>Seed of the 80/20 split of the training sentences that learning-rate selection validates on.</summary>
    public int ValidationSplitSeed { get; init; } = 99;
}
