using static TorchSharp.torch;

namespace MLNetExtensions.Estimators.Training;

/// <summary>
/// Describes the step an objective is computing. All randomness an objective needs should come from
/// <see cref="Generator"/> (or the global torch generator, which the engine reseeds with <see cref="Seed"/> before
/// every step): both are functions of (seed, step), which makes runs repeatable and resumes exact.
/// </summary>
public sealed class TrainingStepContext
{
    private Generator? _generator;

    internal TrainingStepContext(long step, long totalSteps, long epoch, long batchInEpoch, long seed, double learningRate, bool isTraining, int batchSize)
    {
        Step = step;
        TotalSteps = totalSteps;
        Epoch = epoch;
        BatchInEpoch = batchInEpoch;
        Seed = seed;
        LearningRate = learningRate;
        IsTraining = isTraining;
        BatchSize = batchSize;
    }

    /// <summary>The 0-based index of the update being computed (the number of updates already applied).</summary>
    public long Step { get; }

    /// <summary>The number of updates the whole run makes.</summary>
    public long TotalSteps { get; }

    /// <summary>The 0-based epoch the batch comes from.</summary>
    public long Epoch { get; }

    /// <summary>The 0-based index of the batch within its epoch.</summary>
    public long BatchInEpoch { get; }

    /// <summary>A seed derived from the run's seed and <see cref="Step"/>; the global torch generator was seeded with it.</summary>
    public long Seed { get; }

    /// <summary>The base learning rate of this step (before per-group multipliers).</summary>
    public double LearningRate { get; }

    /// <summary>True for training steps, false during validation.</summary>
    public bool IsTraining { get; }

    /// <summary>Rows per batch of this pass: one rank's training batch, or during validation the validation batch size (an objective's own <c>Evaluate</c> reads its batches this size).</summary>
    public int BatchSize { get; }

    /// <summary>A CPU generator seeded with <see cref="Seed"/>, created on first use and disposed after the step.</summary>
    public Generator Generator => _generator ??= new Generator(unchecked((ulong)Seed));

    /// <summary>Disposes the step's generator, if one was created.</summary>
    internal void Release()
    {
        _generator?.Dispose();
        _generator = null;
    }
}
