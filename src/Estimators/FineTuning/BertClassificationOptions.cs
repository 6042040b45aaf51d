using Microsoft.ML;
using MLNetExtensions.Estimators.Training;
using MLNetExtensions.Transforms.Bert;

namespace MLNetExtensions.Estimators.FineTuning;

/// <summary>
/// Options of the BERT classification trainers (<see cref="BertBinaryClassificationTrainer"/>,
/// <see cref="BertMulticlassClassificationTrainer"/>): which columns to read and write, where the encoder comes from,
/// and how long and how fast to fine-tune. The trainer reads them when it is created.
/// </summary>
/// <remarks>
/// The model starts either from <see cref="PretrainedEncoder"/> (its embeddings and encoder layers are copied;
/// the pooler and the classifier head start from random values drawn from the seed) or, when that is null, from
/// random initialisation of <see cref="Config"/> with the vocabulary at <see cref="VocabularyPath"/>.
/// </remarks>
public sealed class BertClassificationOptions : SingleRunTrainerOptions
{
    /// <summary>The text column (String).</summary>
    public string TextColumnName { get; set; } = "Text";

    /// <summary>
    /// An optional second text column: rows become sentence pairs <c>[CLS] text [SEP] second [SEP]</c> with segment
    /// (token type) ids 0 and 1.
    /// </summary>
    public string? SecondTextColumnName { get; set; }

    /// <summary>The label column: Boolean for binary classification, a key (UInt32, as made by <c>MapValueToKey</c>) for multiclass.</summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>Output: the score (binary: Single log-odds; multiclass: vector of class probabilities).</summary>
    public string ScoreColumnName { get; set; } = "Score";

    /// <summary>Output: the predicted label (binary: Boolean; multiclass: a key of the label's key type).</summary>
    public string PredictedLabelColumnName { get; set; } = "PredictedLabel";

    /// <summary>Output of binary classification: the probability of the positive class (Single).</summary>
    public string ProbabilityColumnName { get; set; } = "Probability";

    /// <summary>
    /// The pre-trained encoder to start from, with its tokenizer; null initialises the encoder randomly from
    /// <see cref="Config"/> and <see cref="VocabularyPath"/>. Its tensors are copied: the transformer itself is not changed.
    /// </summary>
    public BertEmbeddingTransformer? PretrainedEncoder { get; set; }

    /// <summary>
    /// A pre-trained checkpoint to start from instead: a Hugging Face BERT directory or an <c>.onnx</c> export with
    /// <c>vocab.txt</c> beside it (see <see cref="MLNetExtensions.Transforms.Bert.Checkpoints.BertCheckpoint.Load"/>). Its
    /// embeddings, encoder layers and pooler (when it has one) are copied, and its tokenizer is used. Cannot be combined
    /// with <see cref="PretrainedEncoder"/> or <see cref="VocabularyPath"/>.
    /// </summary>
    public string? PretrainedCheckpointPath { get; set; }

    /// <summary>
    /// The architecture for random initialisation (required when <see cref="PretrainedEncoder"/> is null). With a
    /// pre-trained encoder it may be given to change the dropout probabilities; every other setting must then equal
    /// the encoder's.
    /// </summary>
    public BertConfig? Config { get; set; }

    /// <summary>The WordPiece vocabulary for random initialisation (one token per line); its size sets <c>Config.VocabSize</c>, whatever that says.</summary>
    public string? VocabularyPath { get; set; }

    /// <summary>Lower-case text before tokenizing (random initialisation only; a pre-trained encoder brings its own setting).</summary>
    public bool LowerCase { get; set; } = true;

    /// <summary>
    /// Strip accents before tokenizing (random initialisation only; a pre-trained encoder brings its own setting); null
    /// (default) follows <see cref="LowerCase"/>, as Hugging Face's <c>strip_accents</c>.
    /// </summary>
    public bool? StripAccents { get; set; }

    /// <summary>
    /// Tokens per row including [CLS] and [SEP]; longer text is truncated. Null: the pre-trained encoder's maximum
    /// length, or 128 (at most <c>Config.MaxPositionEmbeddings</c>) for random initialisation.
    /// </summary>
    public int? MaximumLength { get; set; }

    /// <summary>
    /// Creates the options with fine-tuning's defaults: 3 epochs, a tenth of the updates warming up, linear decay,
    /// early stopping after 3 validations without improvement (when there are validation rows). A null
    /// <see cref="SingleRunTrainerOptions.LearningRate"/> picks by the start: <see cref="PretrainedLearningRate"/> from a
    /// pre-trained encoder or checkpoint, <see cref="RandomStartLearningRate"/> from random weights.
    /// </summary>
    public BertClassificationOptions()
    {
        Epochs = 3;
        WarmupFraction = 0.1;
        SetDefaultEarlyStoppingPatience(3);
    }

    /// <summary>The default learning rate when fine-tuning a pre-trained encoder or checkpoint.</summary>
    public const double PretrainedLearningRate = 5e-5;

    /// <summary>The default learning rate when training from random weights (the rate <c>bench bert-base</c> chose on validation sentences for the from-scratch start).</summary>
    public const double RandomStartLearningRate = 1e-3;

    /// <summary>
    /// How the head pools each sequence: <see cref="BertPooling.Cls"/> (the default, Hugging Face's head: a pooler,
    /// dense + tanh, on the [CLS] state) or <see cref="BertPooling.Mean"/> (the mean of the final hidden states over real
    /// tokens, no pooler). Mean pooling does not depend on the [CLS] state, which masked-LM pre-training alone (no
    /// next-sentence objective) never trains to summarise the sequence.
    /// </summary>
    public BertPooling Pooling { get; set; } = BertPooling.Cls;

    /// <summary>Dropout before the classifier head, in [0, 1); null uses the configuration's hidden dropout (as Hugging Face does).</summary>
    public double? ClassifierDropout { get; set; }

    private protected override string CheckpointFileName => "fine-tuning.ckpt";

    /// <summary>Checks every option that can be checked without the data; throws naming the first bad option.</summary>
    /// <exception cref="ArgumentException">A column name is empty, or options contradict each other.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A number is out of range.</exception>
    public override void Validate()
    {
        base.Validate();
        RequireColumnName(TextColumnName, nameof(TextColumnName));
        RequireColumnName(LabelColumnName, nameof(LabelColumnName));
        RequireColumnName(ScoreColumnName, nameof(ScoreColumnName));
        RequireColumnName(PredictedLabelColumnName, nameof(PredictedLabelColumnName));
        RequireColumnName(ProbabilityColumnName, nameof(ProbabilityColumnName));
        if (SecondTextColumnName is not null)
        {
            RequireColumnName(SecondTextColumnName, nameof(SecondTextColumnName));
        }

        if (MaximumLength is int length && length < MinimumLength)
        {
            throw Bad(nameof(MaximumLength), length, $"must be at least {MinimumLength} to hold [CLS] and [SEP]{(SecondTextColumnName is null ? string.Empty : " twice")}");
        }

        if (!Enum.IsDefined(Pooling))
        {
            throw Bad(nameof(Pooling), Pooling, "must be BertPooling.Cls or BertPooling.Mean");
        }

        if (ClassifierDropout is double dropout && !(dropout >= 0 && dropout < 1))
        {
            throw Bad(nameof(ClassifierDropout), dropout, "must be in [0, 1) when set");
        }

        if (PretrainedEncoder is not null && PretrainedCheckpointPath is not null)
        {
            throw new ArgumentException(
                "BertClassificationOptions.PretrainedEncoder and BertClassificationOptions.PretrainedCheckpointPath are both set; start from one of them.",
                nameof(PretrainedCheckpointPath));
        }

        bool pretrained = PretrainedEncoder is not null || PretrainedCheckpointPath is not null;
        if (!pretrained && Config is null)
        {
            throw new ArgumentException(
                "BertClassificationOptions.PretrainedEncoder and PretrainedCheckpointPath are null and BertClassificationOptions.Config is not set: give a pre-trained encoder or checkpoint, or Config and VocabularyPath to start from random weights.",
                nameof(Config));
        }

        if (!pretrained && string.IsNullOrWhiteSpace(VocabularyPath))
        {
            throw new ArgumentException(
                "BertClassificationOptions.VocabularyPath must name a WordPiece vocabulary file when the encoder is initialised randomly (PretrainedEncoder and PretrainedCheckpointPath are null).",
                nameof(VocabularyPath));
        }

        if (pretrained && VocabularyPath is not null)
        {
            throw new ArgumentException(
                $"BertClassificationOptions.VocabularyPath is set together with {(PretrainedEncoder is not null ? "PretrainedEncoder" : "PretrainedCheckpointPath")}, which brings its own vocabulary; leave VocabularyPath null.",
                nameof(VocabularyPath));
        }
    }

    /// <summary>The smallest <see cref="MaximumLength"/> that holds the special tokens.</summary>
    internal int MinimumLength => SecondTextColumnName is null ? 2 : 3;
}
