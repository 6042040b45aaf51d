using MLNetExtensions.Estimators.Plans;
using MLNetExtensions.Estimators.Training;
using MLNetExtensions.Transforms.Bert;

namespace MLNetExtensions.Estimators.Bert;

/// <summary>Options of BERT masked-LM pre-training on a text column (the full-depth baseline, or any staged plan).</summary>
public class BertPretrainingOptions
{
    private TrainingPlan? _planOverride;

    /// <summary>The text column: one sentence (or line) per row; empty rows are skipped.</summary>
    public string TextColumnName { get; set; } = "Text";

    /// <summary>The column the fitted transformer adds: the pooled embedding.</summary>
    public string OutputColumnName { get; set; } = "Embedding";

    /// <summary>The WordPiece vocabulary file.</summary>
    public string VocabularyPath { get; set; } = string.Empty;

    /// <summary>Lower-case text first (BERT-uncased).</summary>
    public bool LowerCase { get; set; } = true;

    /// <summary>Strip accents (BERT-uncased).</summary>
    public bool StripAccents { get; set; } = true;

    /// <summary>Hidden size.</summary>
    public int HiddenSize { get; set; } = 256;

    /// <summary>Attention heads; must divide <see cref="HiddenSize"/>.</summary>
    public int AttentionHeads { get; set; } = 4;

    /// <summary>Feed-forward size.</summary>
    public int IntermediateSize { get; set; } = 1024;

    /// <summary>Tokens per pre-training sequence (sentences are packed up to it) and per embedded text.</summary>
    public int MaximumSequenceLength { get; set; } = 128;

    /// <summary>Dropout on hidden states and attention probabilities.</summary>
    public double Dropout { get; set; } = 0.1;

    /// <summary>Post-LN as in BERT (default) or pre-LN.</summary>
    public LayerNormPlacement LayerNormPlacement { get; set; } = LayerNormPlacement.PostLayerNorm;

    /// <summary>The stages to run; the default is the full-depth baseline (4 layers, 1,000 steps).</summary>
    public TrainingPlan Plan { get; set; } = TrainingPlan.FullDepth(4, 1000);

    /// <summary>Sequences per optimiser step.</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>AdamW decoupled weight decay of weight matrices and embeddings; biases and layer norms get none.</summary>
    public double WeightDecay { get; set; } = 0.01;

    /// <summary>Global gradient-norm clipping; null turns it off.</summary>
    public double? MaxGradientNorm { get; set; } = 1.0;

    /// <summary>Share of packed sequences held out for validation (fixed masks); 0 turns validation off.</summary>
    public double ValidationFraction { get; set; } = 0.05;

    /// <summary>Validate every this many steps (and at every stage's end); null validates at stage ends only.</summary>
    public int? ValidateEveryNSteps { get; set; }

    /// <summary>How the fitted transformer pools hidden states.</summary>
    public BertPooling Pooling { get; set; } = BertPooling.Mean;

    /// <summary>Seed of initialisation, data order, masking and dropout; null uses the MLContext's seed, else a random one.</summary>
    public int? Seed { get; set; }

    /// <summary>Torch CPU threads; null uses every core.</summary>
    public int? NumberOfThreads { get; set; }

    /// <summary>How often, in steps, the training engine reports progress to <c>MLContext.Log</c> and <see cref="Progress"/> (and always at a stage's last step).</summary>
    public int LogEveryNSteps { get; set; } = 10;

    /// <summary>Folder for checkpoints; null turns them off.</summary>
    public string? CheckpointDirectory { get; set; }

    /// <summary>Checkpoint every this many steps within a stage.</summary>
    public int? CheckpointEveryNSteps { get; set; }

    /// <summary>Resume the run checkpointed in <see cref="CheckpointDirectory"/>.</summary>
    public bool ResumeFromCheckpoint { get; set; }

    /// <summary>Receives progress reports on the training thread.</summary>
    public IProgress<TrainingProgress>? Progress { get; set; }

    /// <summary>Cancels training at the next step boundary (as <c>mlContext.CancelExecution()</c> does); <c>Fit</c> then throws <see cref="OperationCanceledException"/>, after writing a checkpoint when <see cref="CheckpointDirectory"/> is set.</summary>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>A copy of these options with <paramref name="seed"/> (a run fixes its seed once, before splitting the corpus).</summary>
    internal BertPretrainingOptions WithSeed(int seed)
    {
        var copy = (BertPretrainingOptions)MemberwiseClone();
        copy.Seed = seed;
        return copy;
    }

    /// <summary>A copy of these options that runs <paramref name="plan"/> (sweep trials share everything else).</summary>
    internal BertPretrainingOptions WithPlan(TrainingPlan plan, CancellationToken cancellationToken)
    {
        var copy = (BertPretrainingOptions)MemberwiseClone();
        copy.Plan = plan;
        copy._planOverride = plan;
        copy.Progress = null;
        copy.CancellationToken = cancellationToken;
        return copy;
    }

    /// <summary>The plan this estimator runs (subclasses build it from their own settings).</summary>
    internal virtual TrainingPlan BuildPlan() => Plan;

    /// <summary>The plan to run: the one given to <see cref="WithPlan"/>, else <see cref="BuildPlan"/>.</summary>
    internal TrainingPlan ResolvePlan() => _planOverride ?? BuildPlan();

    /// <summary>Throws an exception naming the first invalid option.</summary>
    public virtual void Validate()
    {
        if (string.IsNullOrWhiteSpace(TextColumnName))
        {
            throw new ArgumentException("TextColumnName must name a text column.", nameof(TextColumnName));
        }

        if (string.IsNullOrWhiteSpace(OutputColumnName))
        {
            throw new ArgumentException("OutputColumnName must name the embedding column.", nameof(OutputColumnName));
        }

        if (string.IsNullOrWhiteSpace(VocabularyPath) || !File.Exists(VocabularyPath))
        {
            throw new FileNotFoundException($"VocabularyPath '{VocabularyPath}' does not name an existing WordPiece vocabulary file.", VocabularyPath);
        }

        if (HiddenSize < 1 || AttentionHeads < 1 || HiddenSize % AttentionHeads != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(AttentionHeads), AttentionHeads, $"HiddenSize ({HiddenSize}) must be a positive multiple of AttentionHeads ({AttentionHeads}).");
        }

        if (IntermediateSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(IntermediateSize), IntermediateSize, "IntermediateSize must be positive.");
        }

        if (Dropout is < 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Dropout), Dropout, "Dropout must lie in [0, 1).");
        }

        if (BatchSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "BatchSize must be at least 1.");
        }

        if (MaximumSequenceLength < 8)
        {
            throw new ArgumentOutOfRangeException(nameof(MaximumSequenceLength), MaximumSequenceLength, "MaximumSequenceLength must be at least 8 tokens.");
        }

        if (ValidationFraction is < 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(ValidationFraction), ValidationFraction, "ValidationFraction must lie in [0, 1).");
        }

        if (ValidateEveryNSteps is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ValidateEveryNSteps), ValidateEveryNSteps, "ValidateEveryNSteps must be positive, or null.");
        }

        if (LogEveryNSteps < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(LogEveryNSteps), LogEveryNSteps, "LogEveryNSteps must be at least 1.");
        }

        if (ResumeFromCheckpoint && CheckpointDirectory is null)
        {
            throw new ArgumentException("ResumeFromCheckpoint needs CheckpointDirectory.", nameof(ResumeFromCheckpoint));
        }

        ResolvePlan().Validate();
    }

    /// <summary>
    /// The encoder configuration <paramref name="plan"/>'s first stage trains: its depth, relaxed as the plan says
    /// (<see cref="TrainingPlan.Relaxation"/>, else the defaults) when that stage is relaxed; validated.
    /// </summary>
    internal BertConfig BuildConfig(int vocabularySize, TrainingPlan plan)
    {
        var first = plan.Stages[0];
        var config = BuildConfig(vocabularySize, first.Depth);
        return first.Architecture == EncoderArchitecture.Relaxed ? config with { Relaxation = plan.Relaxation ?? new BertRelaxation() } : config;
    }

    /// <summary>The encoder configuration for a vocabulary and a depth; validated (errors name the option).</summary>
    internal BertConfig BuildConfig(int vocabularySize, int depth) => new BertConfig
    {
        VocabSize = vocabularySize,
        HiddenSize = HiddenSize,
        NumHiddenLayers = depth,
        NumAttentionHeads = AttentionHeads,
        IntermediateSize = IntermediateSize,
        MaxPositionEmbeddings = MaximumSequenceLength,
        HiddenDropoutProb = Dropout,
        AttentionProbsDropoutProb = Dropout,
        LayerNormPlacement = LayerNormPlacement,
    }.Validate();
}
