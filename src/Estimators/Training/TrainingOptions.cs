namespace MLNetExtensions.Estimators.Training;

/// <summary>Settings of one <see cref="TrainingEngine.Train{TBatch}"/> run.</summary>
/// <remarks>
/// Length of training: <see cref="Epochs"/> and <see cref="MaxSteps"/> both bound it; training stops at whichever
/// comes first. With neither set, one epoch is trained. With only <see cref="MaxSteps"/> set, epochs repeat until
/// that many updates were made and the row count need not be known in advance.
/// </remarks>
public sealed record TrainingOptions
{
    /// <summary>Rows per batch. Must be ≥ 1.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Number of passes over the training data, or null (see remarks).</summary>
    public int? Epochs { get; init; }

    /// <summary>Maximum number of updates, or null (see remarks).</summary>
    public long? MaxSteps { get; init; }

    /// <summary>Whether a final batch smaller than <see cref="BatchSize"/> is dropped (true) or trained on (false).</summary>
    public bool DropLastPartialBatch { get; init; }

    /// <summary>Whether rows are shuffled each epoch, deterministically from (seed, epoch).</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>Pool size of ML.NET's streaming shuffle, used when the data view cannot shuffle itself.</summary>
    public int ShufflePoolSize { get; init; } = 4096;

    /// <summary>Peak learning rate (after warm-up). Must be ≥ 0.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>AdamW decoupled weight decay for groups that apply it. Must be ≥ 0.</summary>
    public double WeightDecay { get; init; } = 0.01;

    /// <summary>AdamW β₁, in [0, 1).</summary>
    public double Beta1 { get; init; } = 0.9;

    /// <summary>AdamW β₂, in [0, 1).</summary>
    public double Beta2 { get; init; } = 0.999;

    /// <summary>AdamW ε. Must be ≥ 0.</summary>
    public double Epsilon { get; init; } = 1e-8;

    /// <summary>Updates of linear warm-up from 0 to the peak learning rate. Must be ≤ the total number of updates.</summary>
    public long WarmupSteps { get; init; }

    /// <summary>
    /// Warm-up as a share of the run's updates, in [0, 1), for when the count is known only once the rows are counted:
    /// ⌊fraction × total⌋ updates. Set this or <see cref="WarmupSteps"/>, not both.
    /// </summary>
    public double WarmupFraction { get; init; }

    /// <summary>Decay after warm-up.</summary>
    public LearningRateDecay Decay { get; init; } = LearningRateDecay.Linear;

    /// <summary>The stage of a staged plan this run trains (schedule slice, carried moments); only the staged runner sets it.</summary>
    internal StageSegment? Stage { get; init; }

    /// <summary>The learning rate the decay ends at, as a fraction of the peak, in [0, 1].</summary>
    public double FinalLearningRateFraction { get; init; }

    /// <summary>Clip gradients to this global L2 norm; null turns clipping off. Must be &gt; 0 when set.</summary>
    public double? MaxGradientNorm { get; init; }

    /// <summary>
    /// Seed of all randomness the engine controls (shuffling, per-step torch seeds). When null, the MLContext's
    /// seed is used if it was given one, otherwise a random seed (reported in <see cref="TrainingResult.Seed"/>).
    /// </summary>
    public int? Seed { get; init; }

    /// <summary>Report step progress every this many updates. Must be ≥ 1.</summary>
    public int LogEveryNSteps { get; init; } = 50;

    /// <summary>Validate every this many updates; null validates at the end of every epoch.</summary>
    public int? ValidateEveryNSteps { get; init; }

    /// <summary>Batch size for validation; null uses <see cref="BatchSize"/>.</summary>
    public int? ValidationBatchSize { get; init; }

    /// <summary>Early stopping, or null for none. Requires validation data.</summary>
    public EarlyStoppingOptions? EarlyStopping { get; init; }

    /// <summary>Where checkpoints are written (one file, replaced atomically), or null for no checkpoints.</summary>
    public string? CheckpointPath { get; init; }

    /// <summary>Write a checkpoint every this many updates (needs <see cref="CheckpointPath"/>).</summary>
    public int? CheckpointEveryNSteps { get; init; }

    /// <summary>Write a checkpoint when this much time passed since the last one (needs <see cref="CheckpointPath"/>).</summary>
    public TimeSpan? CheckpointInterval { get; init; }

    /// <summary>A checkpoint to resume from; null starts fresh. May equal <see cref="CheckpointPath"/>.</summary>
    public string? ResumeFromCheckpoint { get; init; }

    /// <summary>
    /// Threads for torch's intra-op parallelism (process-wide); null uses <see cref="Environment.ProcessorCount"/>, divided
    /// among the processes of a data-parallel job that share the host.
    /// </summary>
    public int? NumberOfThreads { get; init; }

    /// <summary>
    /// Data-parallel training over MPI. <see cref="DataParallelMode.Auto"/> (the default) trains data-parallel when the
    /// process was launched by <c>mpiexec</c> with more than one process: each rank reads its own shard of every batch,
    /// <see cref="BatchSize"/> is the batch of one rank, and the trainable parameters' gradients are averaged over the ranks.
    /// </summary>
    public DataParallelMode DataParallel { get; init; } = DataParallelMode.Auto;

    /// <summary>Throw when the loss becomes NaN or infinite (true), instead of continuing.</summary>
    public bool StopOnNonFiniteLoss { get; init; } = true;

    /// <summary>Checks every setting that can be checked without the data; throws naming the first bad option.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="ArgumentException">Options contradict each other.</exception>
    public void Validate()
    {
        if (BatchSize <= 0)
        {
            throw Bad(nameof(BatchSize), BatchSize, "must be ≥ 1");
        }

        if (Epochs is <= 0)
        {
            throw Bad(nameof(Epochs), Epochs, "must be ≥ 1 when set");
        }

        if (MaxSteps is <= 0)
        {
            throw Bad(nameof(MaxSteps), MaxSteps, "must be ≥ 1 when set");
        }

        if (ShufflePoolSize <= 0)
        {
            throw Bad(nameof(ShufflePoolSize), ShufflePoolSize, "must be ≥ 1");
        }

        if (!double.IsFinite(LearningRate) || LearningRate < 0)
        {
            throw Bad(nameof(LearningRate), LearningRate, "must be a finite number ≥ 0");
        }

        if (!double.IsFinite(WeightDecay) || WeightDecay < 0)
        {
            throw Bad(nameof(WeightDecay), WeightDecay, "must be a finite number ≥ 0");
        }

        if (!(Beta1 >= 0 && Beta1 < 1))
        {
            throw Bad(nameof(Beta1), Beta1, "must be in [0, 1)");
        }

        if (!(Beta2 >= 0 && Beta2 < 1))
        {
            throw Bad(nameof(Beta2), Beta2, "must be in [0, 1)");
        }

        if (!double.IsFinite(Epsilon) || Epsilon < 0)
        {
            throw Bad(nameof(Epsilon), Epsilon, "must be a finite number ≥ 0");
        }

        if (WarmupSteps < 0)
        {
            throw Bad(nameof(WarmupSteps), WarmupSteps, "must be ≥ 0");
        }

        if (!(WarmupFraction >= 0 && WarmupFraction < 1))
        {
            throw Bad(nameof(WarmupFraction), WarmupFraction, "must be in [0, 1)");
        }

        if (WarmupFraction > 0 && WarmupSteps > 0)
        {
            throw new ArgumentException("TrainingOptions.WarmupSteps and TrainingOptions.WarmupFraction are both set; give warm-up one way only.", nameof(WarmupFraction));
        }

        if (Stage is { } stage)
        {
            if (stage.ScheduleOffsetSteps < 0)
            {
                throw Bad(nameof(stage.ScheduleOffsetSteps), stage.ScheduleOffsetSteps, "must be ≥ 0");
            }

            if (stage.ScheduleTotalSteps < 1)
            {
                throw Bad(nameof(stage.ScheduleTotalSteps), stage.ScheduleTotalSteps, "must be ≥ 1");
            }

            if (WarmupSteps > stage.ScheduleTotalSteps)
            {
                throw Bad(nameof(WarmupSteps), WarmupSteps, $"must not exceed ScheduleTotalSteps ({stage.ScheduleTotalSteps})");
            }
        }
        else if (MaxSteps is long max && WarmupSteps > max)
        {
            throw Bad(nameof(WarmupSteps), WarmupSteps, $"must not exceed MaxSteps ({max})");
        }

        if (!Enum.IsDefined(Decay))
        {
            throw Bad(nameof(Decay), Decay, "is not a known decay");
        }

        if (!(FinalLearningRateFraction >= 0 && FinalLearningRateFraction <= 1))
        {
            throw Bad(nameof(FinalLearningRateFraction), FinalLearningRateFraction, "must be in [0, 1]");
        }

        if (MaxGradientNorm is double clip && !(double.IsFinite(clip) && clip > 0))
        {
            throw Bad(nameof(MaxGradientNorm), clip, "must be a finite number > 0 when set");
        }

        if (LogEveryNSteps <= 0)
        {
            throw Bad(nameof(LogEveryNSteps), LogEveryNSteps, "must be ≥ 1");
        }

        if (ValidateEveryNSteps is <= 0)
        {
            throw Bad(nameof(ValidateEveryNSteps), ValidateEveryNSteps, "must be ≥ 1 when set");
        }

        if (ValidationBatchSize is <= 0)
        {
            throw Bad(nameof(ValidationBatchSize), ValidationBatchSize, "must be ≥ 1 when set");
        }

        if (CheckpointEveryNSteps is <= 0)
        {
            throw Bad(nameof(CheckpointEveryNSteps), CheckpointEveryNSteps, "must be ≥ 1 when set");
        }

        if (CheckpointInterval is TimeSpan interval && interval <= TimeSpan.Zero)
        {
            throw Bad(nameof(CheckpointInterval), interval, "must be positive when set");
        }

        if ((CheckpointEveryNSteps is not null || CheckpointInterval is not null) && string.IsNullOrWhiteSpace(CheckpointPath))
        {
            throw new ArgumentException(
                "TrainingOptions.CheckpointEveryNSteps/CheckpointInterval are set but TrainingOptions.CheckpointPath is not.",
                nameof(CheckpointPath));
        }

        if (NumberOfThreads is <= 0)
        {
            throw Bad(nameof(NumberOfThreads), NumberOfThreads, "must be ≥ 1 when set");
        }

        if (EarlyStopping is { } early)
        {
            if (string.IsNullOrWhiteSpace(early.Metric))
            {
                throw new ArgumentException("TrainingOptions.EarlyStopping.Metric must name a validation metric.", "EarlyStopping.Metric");
            }

            if (early.Patience < 1)
            {
                throw Bad("EarlyStopping.Patience", early.Patience, "must be ≥ 1");
            }

            if (!double.IsFinite(early.MinDelta) || early.MinDelta < 0)
            {
                throw Bad("EarlyStopping.MinDelta", early.MinDelta, "must be a finite number ≥ 0");
            }
        }
    }

    private static ArgumentOutOfRangeException Bad(string option, object? value, string rule) =>
        new(option, value, $"TrainingOptions.{option} {rule} (was {value}).");
}

/// <summary>Whether a training run trains data-parallel with the other processes of an MPI job.</summary>
public enum DataParallelMode
{
    /// <summary>Data-parallel when launched by <c>mpiexec</c> with more than one process; alone otherwise.</summary>
    Auto,

    /// <summary>Always alone: under <c>mpiexec</c> every process trains its own model on all the data.</summary>
    Off,
}

