namespace MLNetExtensions.Estimators.Training;

/// <summary>
/// Optional: an objective that keeps state of its own across steps (for example a running statistic or a
/// <see cref="TorchSharp.torch.Generator"/> it advances itself) implements this so that checkpoints hold that state
/// and a resumed run continues exactly. Objectives whose randomness comes only from
/// <see cref="TrainingStepContext.Generator"/> or the global torch generator do not need it: the engine reseeds
/// both from (seed, step).
/// </summary>
public interface ICheckpointableObjective
{
    /// <summary>Writes the objective's state.</summary>
    /// <param name="writer">A writer positioned inside the checkpoint; write only what <see cref="ReadState"/> reads back.</param>
    void WriteState(BinaryWriter writer);

    /// <summary>Restores the state written by <see cref="WriteState"/>.</summary>
    /// <param name="reader">A reader over exactly the bytes that <see cref="WriteState"/> wrote.</param>
    void ReadState(BinaryReader reader);
}
