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
public sealed class PersistentMemoryRnnOptions : SingleRunTrainerOptions
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

    /// <summary>K, the number of memory slots (ignored by Lstm and Gru cells).</summary>
    public int MemorySlots { get; set; } = 8;

    /// <summary>m, the width of a memory slot and of the encoded input (ignored by Lstm and Gru cells).</summary>
    public int MemoryWidth { get; set; } = 32;

    /// <summary>Whether the encoder reads h_{t−1} besides x_t (the addressing then runs step by step); an error on Lstm and Gru cells.</summary>
    public bool EncoderReadsHiddenState { get; set; }

    /// <summary>
    /// γ, the sharpness of the addressing softmax (its starting value when <see cref="LearnSharpness"/>), in
    /// [<see cref="PersistentMemoryRnnConfig.MinSharpness"/>, <see cref="PersistentMemoryRnnConfig.MaxSharpness"/>] = [1e-6, 1e6];
    /// ignored by Lstm and Gru cells.
    /// </summary>
    public double Sharpness { get; set; } = 10;

    /// <summary>Learn γ (as log γ) with the other weights; false keeps it fixed. Ignored by Lstm and Gru cells.</summary>
    public bool LearnSharpness { get; set; } = true;

    /// <summary>How the memory starts: random (default), k-means of encoded training steps, or user prototypes.</summary>
    public MemoryInitialization MemoryInitialization { get; set; } = MemoryInitialization.Random;

    /// <summary>With <see cref="MemoryInitialization.Prototypes"/>: K steps of <see cref="StepSize"/> values each, whose encodings become the slots.</summary>
    public IReadOnlyList<float[]>? MemoryPrototypes { get; set; }

    /// <summary>With <see cref="MemoryInitialization.KMeans"/>: the most training steps sampled (seeded) for k-means; at least <see cref="MemorySlots"/>.</summary>
    public int KMeansSampleSteps { get; set; } = 4096;

    /// <summary>With <see cref="MemoryInitialization.KMeans"/>: Lloyd iterations.</summary>
    public int KMeansIterations { get; set; } = 25;

    /// <summary>
    /// Creates the options with this trainer's defaults: 20 epochs, learning rate <see cref="DefaultLearningRate"/>
    /// held constant (no decay), no weight decay, clipping at 1.0.
    /// </summary>
    public PersistentMemoryRnnOptions()
    {
        Epochs = 20;
        LearningRate = DefaultLearningRate;
        Decay = LearningRateDecay.None;
        WeightDecay = 0;
    }

    /// <summary>The learning rate when <see cref="SingleRunTrainerOptions.LearningRate"/> is null.</summary>
    public const double DefaultLearningRate = 3e-3;

    private protected override string CheckpointFileName => "persistent-memory-rnn.ckpt";

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
    public override void Validate()
    {
        base.Validate();
        RequireColumnName(FeatureColumnName, nameof(FeatureColumnName));
        RequireColumnName(LabelColumnName, nameof(LabelColumnName));
        RequireColumnName(ScoreColumnName, nameof(ScoreColumnName));
        RequireColumnName(PredictedLabelColumnName, nameof(PredictedLabelColumnName));
        if (AddressingColumnName is not null)
        {
            RequireColumnName(AddressingColumnName, nameof(AddressingColumnName));
        }

        RequirePositive(StepSize, nameof(StepSize));
        RequirePositive(HiddenSize, nameof(HiddenSize));
        bool memory = CellKind is RnnCellKind.PersistentMemory or RnnCellKind.PersistentMemoryMixture;
        if (memory)
        {
            RequirePositive(MemorySlots, nameof(MemorySlots));
            RequirePositive(MemoryWidth, nameof(MemoryWidth));
            if (!PersistentMemoryRnnConfig.IsSharpnessInRange(Sharpness))
            {
                throw Bad(nameof(Sharpness), Sharpness, PersistentMemoryRnnConfig.SharpnessRange);
            }
        }

        ToConfig(outputs: 1).Validate();
        if (!memory && MemoryOnlySettingInUse() is { } setting)
        {
            throw new ArgumentException($"PersistentMemoryRnnOptions.{setting} is set, but a {CellKind} cell has no memory.", setting);
        }

        if (!Enum.IsDefined(MemoryInitialization))
        {
            throw Bad(nameof(MemoryInitialization), MemoryInitialization, "must be Random, KMeans or Prototypes");
        }

        if (MemoryInitialization == MemoryInitialization.Prototypes)
        {
            CheckPrototypes();
        }

        RequirePositive(KMeansSampleSteps, nameof(KMeansSampleSteps));
        RequirePositive(KMeansIterations, nameof(KMeansIterations));
        if (MemoryInitialization == MemoryInitialization.KMeans && KMeansSampleSteps < MemorySlots)
        {
            throw Bad(nameof(KMeansSampleSteps), KMeansSampleSteps, $"must be at least MemorySlots = {MemorySlots} with MemoryInitialization.KMeans (one step per slot at least)");
        }
    }

    /// <summary>
    /// The first setting that asks for memory behaviour (addressing targets, a memory initialisation, an encoder that reads
    /// the hidden state), or null. A plain LSTM or GRU cannot honour these, so they are errors there; the memory's sizes
    /// and sharpness are documented as ignored instead, so that one options object can serve every cell kind of a sweep.
    /// </summary>
    private string? MemoryOnlySettingInUse() =>
        AddressingColumnName is not null ? nameof(AddressingColumnName)
        : MemoryInitialization != MemoryInitialization.Random ? nameof(MemoryInitialization)
        : EncoderReadsHiddenState ? nameof(EncoderReadsHiddenState)
        : null;

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
}
