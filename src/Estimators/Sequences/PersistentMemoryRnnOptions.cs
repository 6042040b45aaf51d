using System.Globalization;
using Microsoft.ML;
using MLNetExtensions.Estimators.Training;
using MLNetExtensions.Transforms.Sequences;

namespace MLNetExtensions.Estimators.Sequences;

/// <summary>How the memory slots start before training.</summary>
public enum MemoryInitialization
{
    /// <summary>Uniform random values in [−1, 1] drawn from the seed (the default).</summary>
    Random,

    /// <summary>
    /// The K centres of k-means (k-means++ seeding, Lloyd iterations) over the encoded inputs of a seeded sample of
    /// training steps (<see cref="PersistentMemoryRnnOptions.KMeansSampleSteps"/>), encoded by the initial encoder.
    /// </summary>
    KMeans,

    /// <summary>The encodings of the K steps the user gives in <see cref="PersistentMemoryRnnOptions.MemoryPrototypes"/>.</summary>
    Prototypes,
}

/// <summary>
/// Options of <see cref="PersistentMemoryRnnEstimator"/>: columns, the cell (persistent memory, its mixture version,
/// or a plain LSTM/GRU), the memory and its initialisation, and the training settings passed to the training engine.
/// </summary>
public sealed class PersistentMemoryRnnOptions
{
    /// <summary>The input column: a vector of Single holding one sequence, time-major, <see cref="StepSize"/> values per step (variable or fixed size).</summary>
    public string FeatureColumnName { get; set; } = "Features";

    /// <summary>The label column: a UInt32 key (multiclass, as made by <c>MapValueToKey</c>) or Single (regression).</summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>Output: class probabilities (multiclass) or the predicted value (regression).</summary>
    public string ScoreColumnName { get; set; } = "Score";

    /// <summary>Output of multiclass classification: the most probable class, a key of the label's key type.</summary>
    public string PredictedLabelColumnName { get; set; } = "PredictedLabel";

    /// <summary>Optional output: the addressing weights of every step (steps × <see cref="MemorySlots"/>, time-major), or null for none.</summary>
    public string? AddressingColumnName { get; set; }

    /// <summary>D, the features per time step; a vector of n values is a sequence of n / D steps.</summary>
    public int StepSize { get; set; } = 1;

    /// <summary>The cell: <see cref="RnnCellKind.PersistentMemory"/> (default), its mixture version, or a plain LSTM or GRU.</summary>
    public RnnCellKind CellKind { get; set; } = RnnCellKind.PersistentMemory;

    /// <summary>Width of the hidden state.</summary>
    public int HiddenSize { get; set; } = 64;

    /// <summary>K, the number of memory slots.</summary>
    public int MemorySlots { get; set; } = 8;

    /// <summary>m, the width of a memory slot (and of the encoded input).</summary>
    public int MemoryWidth { get; set; } = 32;

    /// <summary>Whether the encoder reads h_{t−1} besides x_t (the addressing then runs step by step).</summary>
    public bool EncoderReadsHiddenState { get; set; }

    /// <summary>γ, the sharpness of the addressing softmax (its starting value when <see cref="LearnSharpness"/>).</summary>
    public double Sharpness { get; set; } = 10;

    /// <summary>Learn γ (as log γ) with the other weights; false keeps it fixed.</summary>
    public bool LearnSharpness { get; set; } = true;

    /// <summary>How the memory starts: random (default), k-means of encoded training steps, or user prototypes.</summary>
    public MemoryInitialization MemoryInitialization { get; set; } = MemoryInitialization.Random;

    /// <summary>With <see cref="MemoryInitialization.Prototypes"/>: K steps of <see cref="StepSize"/> values each, whose encodings become the slots.</summary>
    public IReadOnlyList<float[]>? MemoryPrototypes { get; set; }

    /// <summary>With <see cref="MemoryInitialization.KMeans"/>: the training steps sampled (seeded) for k-means.</summary>
    public int KMeansSampleSteps { get; set; } = 4096;

    /// <summary>With <see cref="MemoryInitialization.KMeans"/>: Lloyd iterations.</summary>
    public int KMeansIterations { get; set; } = 25;

    /// <summary>Sequences per training batch.</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>Passes over the training data (training stops at this or <see cref="MaxSteps"/>, whichever comes first).</summary>
    public int? Epochs { get; set; } = 20;

    /// <summary>The most updates to make, or null.</summary>
    public long? MaxSteps { get; set; }

    /// <summary>Peak learning rate of AdamW (constant after warm-up unless <see cref="LinearDecay"/>).</summary>
    public double LearningRate { get; set; } = 3e-3;

    /// <summary>Decay the learning rate linearly to 0 over the run.</summary>
    public bool LinearDecay { get; set; }

    /// <summary>AdamW decoupled weight decay.</summary>
    public double WeightDecay { get; set; }

    /// <summary>Clip gradients to this global L2 norm; null turns clipping off.</summary>
    public double? MaxGradientNorm { get; set; } = 1.0;

    /// <summary>Seed of every random choice (initial weights, memory initialisation, data order, validation split); null uses the MLContext's seed, else a random one.</summary>
    public int? Seed { get; set; }

    /// <summary>Threads for torch's CPU kernels (process-wide); null uses every core.</summary>
    public int? NumberOfThreads { get; set; }

    /// <summary>Validation rows, or null. Cannot be combined with <see cref="ValidationFraction"/>.</summary>
    public IDataView? ValidationData { get; set; }

    /// <summary>The share of the training rows held out for validation, in (0, 1), drawn from the seed; or null.</summary>
    public double? ValidationFraction { get; set; }

    /// <summary>With validation: stop after this many validations without a lower validation loss and keep the best weights; null never stops early.</summary>
    public int? EarlyStoppingPatience { get; set; }

    /// <summary>Receives the training engine's reports synchronously; or null.</summary>
    public IProgress<TrainingProgress>? Progress { get; set; }

    /// <summary>Cancels training at the next step boundary; <c>Fit</c> then throws <see cref="OperationCanceledException"/>.</summary>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>The network's architecture from these options.</summary>
    internal PersistentMemoryRnnConfig ToConfig(int outputs) => new()
    {
        StepSize = StepSize,
        HiddenSize = HiddenSize,
        Outputs = outputs,
        CellKind = CellKind,
        MemorySlots = MemorySlots,
        MemoryWidth = MemoryWidth,
        EncoderReadsHiddenState = EncoderReadsHiddenState,
        Sharpness = Sharpness,
        LearnSharpness = LearnSharpness,
    };

    /// <summary>Checks every option that can be checked without the data; throws naming the first bad option.</summary>
    /// <exception cref="ArgumentException">A column name is empty, or options contradict each other.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A number is out of range.</exception>
    public void Validate()
    {
        RequireName(FeatureColumnName, nameof(FeatureColumnName));
        RequireName(LabelColumnName, nameof(LabelColumnName));
        RequireName(ScoreColumnName, nameof(ScoreColumnName));
        RequireName(PredictedLabelColumnName, nameof(PredictedLabelColumnName));
        if (AddressingColumnName is not null)
        {
            RequireName(AddressingColumnName, nameof(AddressingColumnName));
        }

        Positive(StepSize, nameof(StepSize));
        Positive(HiddenSize, nameof(HiddenSize));
        bool memory = CellKind is RnnCellKind.PersistentMemory or RnnCellKind.PersistentMemoryMixture;
        if (memory)
        {
            Positive(MemorySlots, nameof(MemorySlots));
            Positive(MemoryWidth, nameof(MemoryWidth));
        }

        ToConfig(outputs: 1).Validate();
        if (!memory && (AddressingColumnName is not null || MemoryInitialization != MemoryInitialization.Random))
        {
            throw new ArgumentException(
                $"PersistentMemoryRnnOptions.{(AddressingColumnName is not null ? nameof(AddressingColumnName) : nameof(MemoryInitialization))} is set, but a {CellKind} cell has no memory.",
                AddressingColumnName is not null ? nameof(AddressingColumnName) : nameof(MemoryInitialization));
        }

        if (!Enum.IsDefined(MemoryInitialization))
        {
            throw Bad(nameof(MemoryInitialization), MemoryInitialization, "must be Random, KMeans or Prototypes");
        }

        if (MemoryInitialization == MemoryInitialization.Prototypes)
        {
            CheckPrototypes();
        }

        Positive(KMeansSampleSteps, nameof(KMeansSampleSteps));
        Positive(KMeansIterations, nameof(KMeansIterations));
        Positive(BatchSize, nameof(BatchSize));
        if (Epochs is < 1)
        {
            throw Bad(nameof(Epochs), Epochs, "must be ≥ 1 when set");
        }

        if (MaxSteps is < 1)
        {
            throw Bad(nameof(MaxSteps), MaxSteps, "must be ≥ 1 when set");
        }

        if (!(double.IsFinite(LearningRate) && LearningRate > 0))
        {
            throw Bad(nameof(LearningRate), LearningRate, "must be a finite number > 0");
        }

        if (!(double.IsFinite(WeightDecay) && WeightDecay >= 0))
        {
            throw Bad(nameof(WeightDecay), WeightDecay, "must be a finite number ≥ 0");
        }

        Classification.ClassifierTrainingSettingsCheck.Validate(
            nameof(PersistentMemoryRnnOptions), MaxGradientNorm, NumberOfThreads, ValidationFraction, ValidationData is not null, EarlyStoppingPatience);
    }

    private void CheckPrototypes()
    {
        if (MemoryPrototypes is null || MemoryPrototypes.Count != MemorySlots)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"PersistentMemoryRnnOptions.MemoryPrototypes must hold MemorySlots = {MemorySlots} steps with MemoryInitialization.Prototypes, but holds {MemoryPrototypes?.Count.ToString(CultureInfo.InvariantCulture) ?? "none"}."),
                nameof(MemoryPrototypes));
        }

        for (int k = 0; k < MemoryPrototypes.Count; k++)
        {
            var prototype = MemoryPrototypes[k];
            if (prototype is null || prototype.Length != StepSize || prototype.Any(v => !float.IsFinite(v)))
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"PersistentMemoryRnnOptions.MemoryPrototypes[{k}] must be one step of StepSize = {StepSize} finite values."),
                    nameof(MemoryPrototypes));
            }
        }
    }

    private static void RequireName(string? name, string option)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException($"PersistentMemoryRnnOptions.{option} must name a column.", option);
        }
    }

    private static void Positive(int value, string option)
    {
        if (value < 1)
        {
            throw Bad(option, value, "must be ≥ 1");
        }
    }

    private static ArgumentOutOfRangeException Bad(string option, object? value, string rule) =>
        Classification.ClassifierTrainingSettingsCheck.Bad(nameof(PersistentMemoryRnnOptions), option, value, rule);
}
