namespace MLNetExtensions.Transforms.Ids;

/// <summary>How an <see cref="IdEmbeddingTransformer"/> was trained.</summary>
/// <param name="Sequences">Item sequences built from the interactions.</param>
/// <param name="TrainingPairs">(target, context) pairs per epoch (both directions of every window pair).</param>
/// <param name="Epochs">Passes over the pairs.</param>
/// <param name="Steps">Optimizer updates.</param>
/// <param name="Seconds">Wall-clock seconds of the training loop.</param>
/// <param name="PairsPerSecond">TrainingPairs × Epochs / Seconds.</param>
/// <param name="FinalLoss">The loss of the last update.</param>
/// <param name="Seed">The seed used.</param>
public sealed record IdEmbeddingTrainingSummary(
    int Sequences, long TrainingPairs, int Epochs, long Steps, double Seconds, double PairsPerSecond, double FinalLoss, int Seed);
