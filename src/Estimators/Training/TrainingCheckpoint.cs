using static TorchSharp.torch;

namespace MLNetExtensions.Estimators.Training;

/// <summary>
/// The content of a training checkpoint: everything a resumed run needs to continue exactly where the
/// interrupted one stopped. <see cref="Load"/> reads and verifies a file; the engine writes them.
/// </summary>
/// <remarks>See <c>docs/training-engine.md</c> for the file layout.</remarks>
public sealed class TrainingCheckpoint : IDisposable
{
    /// <summary>The format version this build writes and reads.</summary>
    public const int CurrentFormatVersion = 1;

    private static readonly IReadOnlyDictionary<string, Tensor> NoTensors = new Dictionary<string, Tensor>();
    private static readonly IReadOnlyDictionary<string, OptimizerParameterState> NoStates = new Dictionary<string, OptimizerParameterState>();

    private readonly bool _ownsTensors;
    private bool _disposed;

    internal TrainingCheckpoint(bool ownsTensors) => _ownsTensors = ownsTensors;

    /// <summary>The file format version.</summary>
    public int FormatVersion { get; internal set; } = CurrentFormatVersion;

    /// <summary>
    /// The settings that shape the trajectory (batch size, learning rate and schedule, seed, total steps, parameter
    /// groups…), as <c>key=value</c> pairs separated by ';'. A resume with different settings is refused.
    /// </summary>
    public string OptionsFingerprint { get; internal set; } = string.Empty;

    /// <summary>The run's seed.</summary>
    public int Seed { get; internal set; }

    /// <summary>Updates applied when the checkpoint was written.</summary>
    public long GlobalStep { get; internal set; }

    /// <summary>Updates the run makes in total.</summary>
    public long TotalSteps { get; internal set; }

    /// <summary>Data position: the 0-based epoch in progress.</summary>
    public long Epoch { get; internal set; }

    /// <summary>Data position: batches already consumed in <see cref="Epoch"/>.</summary>
    public long BatchesInEpoch { get; internal set; }

    /// <summary>Training rows consumed so far.</summary>
    public long ExamplesSeen { get; internal set; }

    /// <summary>Model parameters and buffers by qualified name (as in <c>state_dict()</c>).</summary>
    public IReadOnlyDictionary<string, Tensor> ModelTensors { get; internal set; } = NoTensors;

    /// <summary>AdamW state by qualified parameter name; only trainable parameters have state.</summary>
    public IReadOnlyDictionary<string, OptimizerParameterState> OptimizerState { get; internal set; } = NoStates;

    /// <summary>The CPU torch generator's state (<c>torch.random.get_rng_state()</c>).</summary>
    public byte[] TorchRngState { get; internal set; } = [];

    /// <summary>The weights of the best validation so far, when early stopping restores best weights.</summary>
    public IReadOnlyDictionary<string, Tensor>? BestModelTensors { get; internal set; }

    /// <summary>The best early-stopping metric so far, if any validation ran.</summary>
    public double? BestMetric { get; internal set; }

    /// <summary>The update count of <see cref="BestMetric"/>.</summary>
    public long? BestStep { get; internal set; }

    /// <summary>Validations in a row without improvement.</summary>
    public int ValidationsWithoutImprovement { get; internal set; }

    /// <summary>The update count of the last validation, or -1.</summary>
    public long LastValidationStep { get; internal set; } = -1;

    /// <summary>True when early stopping had ended the run.</summary>
    public bool EarlyStopped { get; internal set; }

    /// <summary>State written by an <see cref="ICheckpointableObjective"/>, or null.</summary>
    public byte[]? ObjectiveState { get; internal set; }

    /// <summary>Reads and verifies a checkpoint file.</summary>
    /// <param name="path">The checkpoint file.</param>
    /// <returns>The checkpoint; dispose it to free its tensors.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a checkpoint, is of another format version, truncated or corrupted.</exception>
    public static TrainingCheckpoint Load(string path) => CheckpointSerializer.Read(path);

    /// <summary>Frees the tensors of a checkpoint read by <see cref="Load"/>.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!_ownsTensors)
        {
            return;
        }

        foreach (var tensor in ModelTensors.Values)
        {
            tensor.Dispose();
        }

        foreach (var state in OptimizerState.Values)
        {
            state.ExpAvg.Dispose();
            state.ExpAvgSq.Dispose();
        }

        if (BestModelTensors is not null)
        {
            foreach (var tensor in BestModelTensors.Values)
            {
                tensor.Dispose();
            }
        }
    }
}
