using MLNetExtensions.Estimators.Plans;
using MLNetExtensions.Estimators.Training;
using MLNetExtensions.Transforms.Bert;

namespace MLNetExtensions.Estimators.Bert;

/// <summary>
/// The settings every BERT masked-LM pre-training estimator shares: the text column, the tokenizer, the encoder's
/// architecture and the training settings. Each estimator's options add where its staged plan comes from: a plan given
/// as it is (<see cref="BertPretrainingOptions"/>), MSLT's stage settings (<see cref="MultiStageBertOptions"/>) or
/// coarse-refined training's (<see cref="CoReBertOptions"/>).
/// </summary>
/// <remarks>
/// The plan gives the run's length and learning-rate schedule; <see cref="TorchTrainerOptions.ValidationFraction"/>
/// (default 0.05) holds packed sequences out with fixed masks, validated at every stage's end.
/// </remarks>
public abstract class BertPretrainingOptionsBase : TorchTrainerOptions
{
    private TrainingPlan? _planOverride;

    /// <summary>Creates the options with pre-training's defaults: 5 % of the packed sequences validate, progress every 10 steps.</summary>
    private protected BertPretrainingOptionsBase()
    {
        ValidationFraction = 0.05;
        LogEveryNSteps = 10;
    }

    /// <summary>The text column: one sentence (or line) per row; empty rows are skipped.</summary>
    public string TextColumnName { get; set; } = "Text";

    /// <summary>The column the fitted transformer adds: the pooled embedding.</summary>
    public string OutputColumnName { get; set; } = "Embedding";

    /// <summary>The WordPiece vocabulary file.</summary>
    public string VocabularyPath { get; set; } = string.Empty;

    /// <summary>Lower-case text first (BERT-uncased).</summary>
    public bool LowerCase { get; set; } = true;

    /// <summary>Strip accents (BERT-uncased); null (default) follows <see cref="LowerCase"/>, as Hugging Face's <c>strip_accents</c>.</summary>
    public bool? StripAccents { get; set; }

    /// <summary>Hidden size.</summary>
    public int HiddenSize { get; set; } = 256;

    /// <summary>Attention heads; must divide <see cref="HiddenSize"/>.</summary>
    public int AttentionHeads { get; set; } = 4;

    /// <summary>Feed-forward size.</summary>
    public int IntermediateSize { get; set; } = 1024;

    /// <summary>Tokens per pre-training sequence (sentences are packed up to it) and per embedded text.</summary>
    public int MaximumLength { get; set; } = 128;

    /// <summary>Dropout on hidden states and attention probabilities.</summary>
    public double Dropout { get; set; } = 0.1;

    /// <summary>Post-LN as in BERT (default) or pre-LN.</summary>
    public LayerNormPlacement LayerNormPlacement { get; set; } = LayerNormPlacement.PostLayerNorm;

    /// <summary>How the fitted transformer pools hidden states.</summary>
    public BertPooling Pooling { get; set; } = BertPooling.Mean;

    /// <summary>A copy of these options with <paramref name="seed"/> (a run fixes its seed once, before splitting the corpus).</summary>
    internal BertPretrainingOptionsBase WithSeed(int seed)
    {
        var copy = (BertPretrainingOptionsBase)MemberwiseClone();
        copy.Seed = seed;
        return copy;
    }

    /// <summary>
    /// A copy of these options that runs <paramref name="plan"/> (sweep trials share everything else), checkpointing, when
    /// <see cref="TorchTrainerOptions.CheckpointDirectory"/> is set, into its subdirectory <paramref name="trialDirectoryName"/>
    /// so that trials never overwrite or resume each other's checkpoints.
    /// </summary>
    internal BertPretrainingOptionsBase WithPlan(TrainingPlan plan, CancellationToken cancellationToken, string trialDirectoryName)
    {
        var copy = (BertPretrainingOptionsBase)MemberwiseClone();
        copy._planOverride = plan;
        copy.CheckpointDirectory = CheckpointDirectory is null ? null : Path.Combine(CheckpointDirectory, trialDirectoryName);
        copy.Progress = null;
        copy.CancellationToken = cancellationToken;
        return copy;
    }

    /// <summary>The plan this estimator runs, from its own settings.</summary>
    internal abstract TrainingPlan BuildPlan();

    /// <summary>The plan to run: the one given to <see cref="WithPlan"/>, else <see cref="BuildPlan"/>.</summary>
    internal TrainingPlan ResolvePlan() => _planOverride ?? BuildPlan();

    /// <inheritdoc />
    internal override int? SeedOfRunToResume() =>
        ResumeFromCheckpoint && CheckpointDirectory is { } directory ? StagedRunner.TryReadSeed(directory) : null;

    /// <summary>Throws an exception naming the first invalid option.</summary>
    public override void Validate()
    {
        base.Validate();
        RequireColumnName(TextColumnName, nameof(TextColumnName));
        RequireColumnName(OutputColumnName, nameof(OutputColumnName));

        if (string.IsNullOrWhiteSpace(VocabularyPath) || !File.Exists(VocabularyPath))
        {
            throw new FileNotFoundException($"{OptionsName}.VocabularyPath '{VocabularyPath}' does not name an existing WordPiece vocabulary file.", VocabularyPath);
        }

        if (HiddenSize < 1 || AttentionHeads < 1 || HiddenSize % AttentionHeads != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(AttentionHeads), AttentionHeads, $"{OptionsName}.HiddenSize ({HiddenSize}) must be a positive multiple of AttentionHeads ({AttentionHeads}).");
        }

        if (IntermediateSize < 1)
        {
            throw Bad(nameof(IntermediateSize), IntermediateSize, "must be ≥ 1");
        }

        if (Dropout is < 0 or >= 1)
        {
            throw Bad(nameof(Dropout), Dropout, "must be in [0, 1)");
        }

        if (MaximumLength < 8)
        {
            throw Bad(nameof(MaximumLength), MaximumLength, "must be at least 8 tokens");
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
        MaxPositionEmbeddings = MaximumLength,
        HiddenDropoutProb = Dropout,
        AttentionProbsDropoutProb = Dropout,
        LayerNormPlacement = LayerNormPlacement,
    }.Validate();
}

/// <summary>Options of BERT masked-LM pre-training on a text column with a staged plan given as it is (by default the full-depth baseline).</summary>
public sealed class BertPretrainingOptions : BertPretrainingOptionsBase
{
    /// <summary>The stages to run; the default is the full-depth baseline (4 layers, 1,000 steps).</summary>
    public TrainingPlan Plan { get; set; } = TrainingPlan.FullDepth(4, 1000);

    /// <inheritdoc />
    public override void Validate()
    {
        ArgumentNullException.ThrowIfNull(Plan, nameof(Plan));
        base.Validate();
    }

    internal override TrainingPlan BuildPlan() => Plan;
}
