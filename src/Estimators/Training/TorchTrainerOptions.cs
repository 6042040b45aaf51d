using System.Globalization;
using Microsoft.ML;

namespace MLNetExtensions.Estimators.Training;

/// <summary>
/// The training settings every TorchSharp estimator of the project shares, with one name and one rule each: batch,
/// weight decay, clipping, seed, threads, validation, checkpoints, progress and cancellation. Each estimator's options
/// class derives from this one (single-run estimators through <see cref="SingleRunTrainerOptions"/>, which adds the
/// run's length and learning-rate schedule; staged BERT pre-training takes both from its plan).
/// </summary>
/// <remarks>
/// <para><b>Seed rule</b> (every estimator): <see cref="Seed"/> when set; else the seed the <see cref="MLContext"/> was
/// created with; else a random seed, drawn once (under <c>mpiexec</c>, by rank 0 and shared) and reported with the
/// training result. On the CPU the same seed and data give bit-identical models.</para>
/// <para><b>Device</b>: as ML.NET's own TorchSharp trainers, the <see cref="MLContext"/>'s <c>GpuDeviceId</c> and
/// <c>FallbackToCpu</c> choose it (the CPU when no GPU is asked for); in a data-parallel job rank r of a host uses
/// <c>GpuDeviceId + r</c>.</para>
/// <para><b>Weight decay</b> is AdamW's decoupled decay, applied to weight matrices, embeddings and memories; biases,
/// layer-norm weights and scalars get none (<see cref="ParameterGroup.SplitByWeightDecay"/>, the one rule of every
/// estimator).</para>
/// </remarks>
public abstract class TorchTrainerOptions
{
    /// <summary>Rows per optimiser step (in a data-parallel job, per rank). Must be ≥ 1.</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>AdamW decoupled weight decay (see remarks), ≥ 0; 0 makes the optimiser plain Adam.</summary>
    public double WeightDecay { get; set; } = 0.01;

    /// <summary>Clip gradients to this global L2 norm; null turns clipping off. Must be &gt; 0 when set.</summary>
    public double? MaxGradientNorm { get; set; } = 1.0;

    /// <summary>Seed of every random choice (initial weights, data order, sampling, dropout, the validation split); see the seed rule in the remarks.</summary>
    public int? Seed { get; set; }

    /// <summary>Threads for torch's CPU kernels (process-wide, as in libtorch); null uses every core.</summary>
    public int? NumberOfThreads { get; set; }

    /// <summary>The share of the training rows held out for validation, in (0, 1), drawn from the seed; null holds none out.</summary>
    public double? ValidationFraction { get; set; }

    /// <summary>
    /// With validation rows: validate every this many updates (≥ 1); null validates at the end of each epoch (or stage).
    /// Set without a source of validation rows (<see cref="ValidationFraction"/>, or a single run's
    /// <see cref="SingleRunTrainerOptions.ValidationData"/>), it is an error rather than silently ignored.
    /// </summary>
    public int? ValidateEveryNSteps { get; set; }

    /// <summary>Report progress to <c>MLContext.Log</c> and <see cref="Progress"/> every this many updates (and always at the last). Must be ≥ 1.</summary>
    public int LogEveryNSteps { get; set; } = 50;

    /// <summary>Folder for checkpoints (written atomically); null turns them off.</summary>
    public string? CheckpointDirectory { get; set; }

    /// <summary>With <see cref="CheckpointDirectory"/>: checkpoint every this many updates (≥ 1); a checkpoint is always written when training stops.</summary>
    public int? CheckpointEveryNSteps { get; set; }

    /// <summary>Continue the run checkpointed in <see cref="CheckpointDirectory"/> (same data and options); on the CPU the result equals an uninterrupted run's.</summary>
    public bool ResumeFromCheckpoint { get; set; }

    /// <summary>Receives the training engine's reports, synchronously on the training thread; or null.</summary>
    public IProgress<TrainingProgress>? Progress { get; set; }

    /// <summary>
    /// Cancels training at the next step boundary (as <c>mlContext.CancelExecution()</c> does); <c>Fit</c> then throws
    /// <see cref="OperationCanceledException"/>, after writing a checkpoint when <see cref="CheckpointDirectory"/> is set.
    /// </summary>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>
    /// A shallow copy: an estimator keeps the settings it was created with, whatever the caller changes on this object
    /// afterwards (the data views and lists it refers to are shared, not copied).
    /// </summary>
    internal TorchTrainerOptions Snapshot() => (TorchTrainerOptions)MemberwiseClone();

    /// <summary>Checks every option that can be checked without the data; throws naming the first bad option.</summary>
    /// <exception cref="ArgumentException">A column name is empty, or options contradict each other.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A number is out of range.</exception>
    public virtual void Validate()
    {
        if (BatchSize < 1)
        {
            throw Bad(nameof(BatchSize), BatchSize, "must be ≥ 1");
        }

        if (!(double.IsFinite(WeightDecay) && WeightDecay >= 0))
        {
            throw Bad(nameof(WeightDecay), WeightDecay, "must be a finite number ≥ 0");
        }

        if (MaxGradientNorm is double norm && !(double.IsFinite(norm) && norm > 0))
        {
            throw Bad(nameof(MaxGradientNorm), norm, "must be a finite number > 0 when set");
        }

        if (NumberOfThreads is < 1)
        {
            throw Bad(nameof(NumberOfThreads), NumberOfThreads, "must be ≥ 1 when set");
        }

        if (ValidationFraction is double fraction && !(fraction > 0 && fraction < 1))
        {
            throw Bad(nameof(ValidationFraction), fraction, "must be in (0, 1) when set (null holds no rows out)");
        }

        if (ValidateEveryNSteps is < 1)
        {
            throw Bad(nameof(ValidateEveryNSteps), ValidateEveryNSteps, "must be ≥ 1 when set");
        }

        if (ValidateEveryNSteps is not null && !HasValidationSource)
        {
            throw NoValidationRows(nameof(ValidateEveryNSteps), "to validate");
        }

        if (LogEveryNSteps < 1)
        {
            throw Bad(nameof(LogEveryNSteps), LogEveryNSteps, "must be ≥ 1");
        }

        if (CheckpointEveryNSteps is < 1)
        {
            throw Bad(nameof(CheckpointEveryNSteps), CheckpointEveryNSteps, "must be ≥ 1 when set");
        }

        if ((ResumeFromCheckpoint || CheckpointEveryNSteps is not null) && string.IsNullOrWhiteSpace(CheckpointDirectory))
        {
            throw new ArgumentException(
                $"{OptionsName}.{(ResumeFromCheckpoint ? nameof(ResumeFromCheckpoint) : nameof(CheckpointEveryNSteps))} needs {OptionsName}.CheckpointDirectory.",
                nameof(CheckpointDirectory));
        }
    }

    /// <summary>The options class's name, which every message starts with.</summary>
    internal string OptionsName => GetType().Name;

    /// <summary>Whether the options give validation rows (how many the data leaves is checked when training starts).</summary>
    private protected virtual bool HasValidationSource => ValidationFraction is not null;

    /// <summary>The options that give validation rows, for messages.</summary>
    private protected virtual string ValidationSources => $"{OptionsName}.{nameof(ValidationFraction)}";

    /// <summary>The error for <paramref name="option"/> set with no validation rows for it to act on.</summary>
    private protected ArgumentException NoValidationRows(string option, string purpose) => new(
        $"{OptionsName}.{option} is set, but there are no validation rows {purpose} on: set {ValidationSources} as well, or leave {option} null.",
        option);

    /// <summary>An out-of-range error in the options' common wording: <c>Options.Option rule, but was value.</c></summary>
    private protected ArgumentOutOfRangeException Bad(string option, object? value, string rule) =>
        new(option, value, string.Create(CultureInfo.InvariantCulture, $"{OptionsName}.{option} {rule}, but was {value}."));

    /// <summary>Throws naming <paramref name="option"/> when it does not name a column.</summary>
    private protected void RequireColumnName(string? name, string option)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException($"{OptionsName}.{option} must name a column.", option);
        }
    }

    /// <summary>Throws naming <paramref name="option"/> when <paramref name="value"/> is below 1.</summary>
    private protected void RequirePositive(int value, string option)
    {
        if (value < 1)
        {
            throw Bad(option, value, "must be ≥ 1");
        }
    }

    /// <summary>
    /// With <see cref="ResumeFromCheckpoint"/>, the seed the checkpointed run used (null: none, or its files cannot be
    /// read, which resuming then reports). A run with no seed set continues with it, so that an unseeded run can resume.
    /// </summary>
    internal abstract int? SeedOfRunToResume();

    /// <summary>The file <paramref name="fileName"/> in <see cref="CheckpointDirectory"/>, or null without checkpoints.</summary>
    private protected string? CheckpointFileNamed(string fileName) =>
        CheckpointDirectory is null ? null : Path.Combine(CheckpointDirectory, fileName);

    /// <summary>ML.NET's convention for a cancelled <c>Fit</c>: an exception saying how far training got and where its progress is kept.</summary>
    /// <param name="what">The training ("Fine-tuning", …).</param>
    /// <param name="steps">Updates made.</param>
    /// <param name="totalSteps">Updates planned.</param>
    /// <param name="checkpoint">The checkpoint file (or folder) that keeps the progress, or null.</param>
    internal OperationCanceledException CancelledFit(string what, long steps, long totalSteps, string? checkpoint) => new(
        $"{what} was cancelled after {steps} of {totalSteps} steps. " + (checkpoint is null
            ? "Set CheckpointDirectory to keep the progress of a cancelled run."
            : $"'{checkpoint}' holds the progress: Fit again with ResumeFromCheckpoint = true to continue."),
        CancellationToken);

    /// <summary>The settings every stage of a staged plan shares, from these options.</summary>
    internal StagedTrainingSettings ToStagedTrainingSettings(int seed) => new()
    {
        BatchSize = BatchSize,
        WeightDecay = WeightDecay,
        MaxGradientNorm = MaxGradientNorm,
        Seed = seed,
        ValidateEveryNSteps = ValidateEveryNSteps,
        NumberOfThreads = NumberOfThreads,
        LogEveryNSteps = LogEveryNSteps,
        CheckpointDirectory = CheckpointDirectory,
        CheckpointEveryNSteps = CheckpointEveryNSteps,
        Resume = ResumeFromCheckpoint,
    };
}

/// <summary>
/// The settings of an estimator that trains in one run of the training engine (the BERT classifiers, the
/// persistent-memory RNN, the ID embeddings): its length in epochs or updates, its learning-rate schedule, the
/// validation rows and early stopping. Length: <see cref="Epochs"/> and <see cref="MaxSteps"/> both bound the run and
/// training stops at whichever comes first; with neither set, one epoch is trained.
/// </summary>
public abstract class SingleRunTrainerOptions : TorchTrainerOptions
{
    /// <summary>Passes over the training data (≥ 1), or null.</summary>
    public int? Epochs { get; set; }

    /// <summary>The most updates to make (≥ 1), or null.</summary>
    public long? MaxSteps { get; set; }

    /// <summary>Peak learning rate of AdamW (after warm-up), &gt; 0. Null uses the estimator's default (see its options class).</summary>
    public double? LearningRate { get; set; }

    /// <summary>The share of the updates spent warming the learning rate up linearly from 0, in [0, 1).</summary>
    public double WarmupFraction { get; set; }

    /// <summary>How the learning rate falls after warm-up (<see cref="LearningRateDecay.Linear"/> and <see cref="LearningRateDecay.Cosine"/> reach 0 just after the last update, which still takes a small rate).</summary>
    public LearningRateDecay Decay { get; set; } = LearningRateDecay.Linear;

    /// <summary>Validation rows (the same columns as the training data), or null. Cannot be combined with <see cref="TorchTrainerOptions.ValidationFraction"/>.</summary>
    public IDataView? ValidationData { get; set; }

    /// <summary>
    /// With validation rows: stop after this many validations in a row without a lower validation loss, and keep the
    /// weights of the best validation (≥ 1). Null validates without stopping early. Set without
    /// <see cref="TorchTrainerOptions.ValidationFraction"/> or <see cref="ValidationData"/>, it is an error; an
    /// estimator's default patience (the BERT classifiers' 3) applies only when there are validation rows.
    /// </summary>
    public int? EarlyStoppingPatience
    {
        get => _earlyStoppingPatience;
        set
        {
            _earlyStoppingPatience = value;
            _earlyStoppingPatienceIsDefault = false;
        }
    }

    private int? _earlyStoppingPatience;

    // A default patience must not make every run without validation rows an error; one the user sets must.
    private bool _earlyStoppingPatienceIsDefault;

    /// <summary>Sets the estimator's default <see cref="EarlyStoppingPatience"/>, which applies only when there are validation rows.</summary>
    private protected void SetDefaultEarlyStoppingPatience(int patience)
    {
        _earlyStoppingPatience = patience;
        _earlyStoppingPatienceIsDefault = true;
    }

    /// <summary>The checkpoint file in <see cref="TorchTrainerOptions.CheckpointDirectory"/>, or null.</summary>
    internal string? CheckpointFile => CheckpointFileNamed(CheckpointFileName);

    /// <summary>The name of the estimator's checkpoint file in <see cref="TorchTrainerOptions.CheckpointDirectory"/>.</summary>
    private protected abstract string CheckpointFileName { get; }

    /// <inheritdoc />
    private protected override bool HasValidationSource => base.HasValidationSource || ValidationData is not null;

    /// <inheritdoc />
    private protected override string ValidationSources => $"{base.ValidationSources} or {OptionsName}.{nameof(ValidationData)}";

    /// <inheritdoc />
    internal override int? SeedOfRunToResume() =>
        ResumeFromCheckpoint && CheckpointFile is { } file ? CheckpointSerializer.TryReadSeed(file) : null;

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        if (Epochs is < 1)
        {
            throw Bad(nameof(Epochs), Epochs, "must be ≥ 1 when set");
        }

        if (MaxSteps is < 1)
        {
            throw Bad(nameof(MaxSteps), MaxSteps, "must be ≥ 1 when set");
        }

        if (LearningRate is double rate && !(double.IsFinite(rate) && rate > 0))
        {
            throw Bad(nameof(LearningRate), rate, "must be a finite number > 0 when set");
        }

        if (!(WarmupFraction >= 0 && WarmupFraction < 1))
        {
            throw Bad(nameof(WarmupFraction), WarmupFraction, "must be in [0, 1)");
        }

        if (!Enum.IsDefined(Decay))
        {
            throw Bad(nameof(Decay), Decay, "is not a known decay");
        }

        if (ValidationFraction is not null && ValidationData is not null)
        {
            throw new ArgumentException(
                $"{OptionsName}.ValidationData and {OptionsName}.ValidationFraction are both set; give validation rows one way only.",
                nameof(ValidationFraction));
        }

        if (EarlyStoppingPatience is < 1)
        {
            throw Bad(nameof(EarlyStoppingPatience), EarlyStoppingPatience, "must be ≥ 1 when set");
        }

        if (EarlyStoppingPatience is not null && !_earlyStoppingPatienceIsDefault && !HasValidationSource)
        {
            throw NoValidationRows(nameof(EarlyStoppingPatience), "to stop");
        }
    }

    /// <summary>The engine's settings from these options: whether the run has validation rows, and its checkpoint file.</summary>
    internal TrainingOptions ToTrainingOptions(int seed, double defaultLearningRate, bool validates, string? checkpointFile) => new()
    {
        BatchSize = BatchSize,
        Epochs = Epochs,
        MaxSteps = MaxSteps,
        LearningRate = LearningRate ?? defaultLearningRate,
        WeightDecay = WeightDecay,
        WarmupFraction = WarmupFraction,
        Decay = Decay,
        MaxGradientNorm = MaxGradientNorm,
        Seed = seed,
        NumberOfThreads = NumberOfThreads,
        LogEveryNSteps = LogEveryNSteps,
        ValidateEveryNSteps = validates ? ValidateEveryNSteps : null,
        EarlyStopping = validates && EarlyStoppingPatience is int patience
            ? new EarlyStoppingOptions { Patience = patience, RestoreBestWeights = true }
            : null,
        CheckpointPath = checkpointFile,
        CheckpointEveryNSteps = CheckpointEveryNSteps,
        ResumeFromCheckpoint = ResumeFromCheckpoint ? checkpointFile : null,
    };
}
