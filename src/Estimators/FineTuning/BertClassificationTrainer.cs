using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExtensions.Estimators.Classification;
using MLNetExtensions.Estimators.Training;
using MLNetExtensions.Transforms.Bert;
using MLNetExtensions.Transforms.DataView;
using MLNetExtensions.Transforms.Classification;
using MLNetExtensions.Transforms.Text;
using MLNetExtensions.Transforms.Torch;
using TorchSharp;

namespace MLNetExtensions.Estimators.FineTuning;

/// <summary>
/// Fine-tunes a BERT encoder and a classifier head on labelled text with the project's training engine
/// (AdamW, linear warm-up and decay, gradient clipping, optional validation with early stopping), and returns the
/// fitted classifier. <see cref="BertBinaryClassificationTrainer"/> and <see cref="BertMulticlassClassificationTrainer"/>
/// differ only in the label type and in the columns the fitted transformer adds.
/// </summary>
/// <typeparam name="TTransformer">The fitted transformer.</typeparam>
public abstract class BertClassificationTrainer<TTransformer> : IEstimator<TTransformer>
    where TTransformer : BertClassificationTransformer
{
    private readonly MLContext _mlContext;
    private readonly BertClassificationOptions _options;
    private readonly BertClassifierStart _start;
    private readonly BertClassificationObjective.Columns _columns;

    private protected BertClassificationTrainer(MLContext mlContext, BertClassificationOptions options, Func<string, ClassificationLabel> label)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _mlContext = mlContext;
        _options = options;
        _start = BertClassifierStart.Resolve(options);
        _columns = new BertClassificationObjective.Columns(options.TextColumnName, options.SecondTextColumnName, label(options.LabelColumnName));
    }

    /// <summary>What the last <see cref="Fit"/> did (steps, losses, validation metrics, seed), or null before the first.</summary>
    public TrainingResult? LastTrainingResult { get; private set; }

    /// <summary>Fine-tunes on <paramref name="input"/> and returns the classifier.</summary>
    /// <param name="input">Training rows with the text column(s) and the label.</param>
    /// <returns>The fitted classifier (dispose it to free its tensors).</returns>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or of the wrong type; the message names the column and the expected type.</exception>
    /// <exception cref="ArgumentException">The training labels hold only one class.</exception>
    /// <exception cref="InvalidOperationException">The training data is empty.</exception>
    /// <exception cref="OperationCanceledException"><see cref="BertClassificationOptions.CancellationToken"/> fired.</exception>
    public TTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        _options.CancellationToken.ThrowIfCancellationRequested();
        int seed = TrainingEngine.ChooseSeed(_mlContext, _options.Seed);
        var data = ClassifierTrainingData.Prepare(
            _mlContext, _columns.Label, _columns.Requirements, input, _options.ValidationData, nameof(BertClassificationOptions.ValidationData), _options.ValidationFraction, seed);
        int classes = data.Classes;
        var (trainData, validationData) = (data.Train, data.Validation);

        var device = TorchDeviceSelector.Select(_mlContext, Training.Distributed.DataParallelEnvironment.LocalRank);
        var model = _start.CreateModel(classes, seed, _options.Pooling, _options.ClassifierDropout);
        try
        {
            model.to(device);
            var objective = new BertClassificationObjective(model, _columns, _start.Encoder, _start.MaximumLength, device);
            var result = new TrainingEngine().Train(
                _mlContext, model, objective, trainData, validationData, OptimizerGroups(model), CreateTrainingOptions(data.TrainingRows, seed, validationData is not null), _options.Progress, _options.CancellationToken);
            if (result.Cancelled)
            {
                throw new OperationCanceledException(
                    $"Fine-tuning was cancelled after {result.Steps} of {result.TotalSteps} steps. " + (_options.CheckpointFile is null
                        ? "Set CheckpointDirectory to keep the progress of a cancelled run."
                        : $"The checkpoint '{_options.CheckpointFile}' holds the progress: Fit again with ResumeFromCheckpoint = true to continue."),
                    _options.CancellationToken);
            }

            LastTrainingResult = result;
            var settings = CreateSettings(classes, data.ClassNames);
            return CreateTransformer(model, _start.Encoder, settings);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The input schema with the classifier's columns added; checks the text and label columns.</summary>
    /// <param name="inputSchema">The shape of the input.</param>
    /// <returns>The shape of the output.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or of the wrong type.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        WordPieceTokenizingEstimator.CheckText(inputSchema, _columns.Text, nameof(BertClassificationOptions.TextColumnName));
        if (_columns.SecondText is { } second)
        {
            WordPieceTokenizingEstimator.CheckText(inputSchema, second, nameof(BertClassificationOptions.SecondTextColumnName));
        }

        var labelShape = _columns.Label.CheckShape(inputSchema);

        // Shapes carry no vector sizes or key counts, so any class count describes the output.
        const int anyClassCount = 2;
        var classNames = _columns.Label.HasClassNames(labelShape) ? new string[anyClassCount] : null;
        return SchemaShapeColumns.Append(inputSchema, CreateOutputColumns(CreateSettings(anyClassCount, classNames?.Select(_ => string.Empty).ToArray())));
    }

    /// <summary>The fitted transformer of this task.</summary>
    private protected abstract TTransformer CreateTransformer(BertForSequenceClassification model, WordPieceEncoder encoder, BertClassificationSettings settings);

    /// <summary>The columns the fitted transformer adds.</summary>
    private protected abstract IReadOnlyList<MappedColumn> CreateOutputColumns(BertClassificationSettings settings);

    /// <summary>Weight matrices and embeddings decay; biases and layer norms do not (as in BERT).</summary>
    private static IReadOnlyList<ParameterGroup> OptimizerGroups(BertForSequenceClassification model) =>
        ParameterGroup.SplitByWeightDecay("decay", model.parameters(), noDecayName: "no_decay");

    private TrainingOptions CreateTrainingOptions(long rows, int seed, bool validates)
    {
        long total = ClassifierTrainingData.TotalSteps(rows, _options.BatchSize, _options.Epochs, _options.MaxSteps);
        return new TrainingOptions
        {
            BatchSize = _options.BatchSize,
            Epochs = _options.Epochs,
            MaxSteps = _options.MaxSteps,
            LearningRate = _options.LearningRate
                ?? (_start.Pretrained is null && _start.Checkpoint is null ? BertClassificationOptions.RandomStartLearningRate : BertClassificationOptions.PretrainedLearningRate),
            WeightDecay = _options.WeightDecay,
            WarmupSteps = (long)Math.Floor(_options.WarmupFraction * total),
            Decay = LearningRateDecay.Linear,
            MaxGradientNorm = _options.MaxGradientNorm,
            Seed = seed,
            Threads = _options.NumberOfThreads,
            ValidateEveryNSteps = validates ? _options.ValidateEveryNSteps : null,
            CheckpointPath = _options.CheckpointFile,
            CheckpointEveryNSteps = _options.CheckpointEveryNSteps,
            ResumeFromCheckpoint = _options.ResumeFromCheckpoint ? _options.CheckpointFile : null,
            EarlyStopping = validates && _options.EarlyStoppingPatience is int patience
                ? new EarlyStoppingOptions { Patience = patience, RestoreBestWeights = true }
                : null,
        };
    }

    private BertClassificationSettings CreateSettings(int classes, IReadOnlyList<string>? classNames) => new()
    {
        TextColumnName = _options.TextColumnName,
        SecondTextColumnName = _options.SecondTextColumnName,
        MaximumLength = _start.MaximumLength,
        NumberOfClasses = classes,
        Pooling = _options.Pooling,
        ScoreColumnName = _options.ScoreColumnName,
        PredictedLabelColumnName = _options.PredictedLabelColumnName,
        ProbabilityColumnName = _options.ProbabilityColumnName,
        ClassNames = classNames,
    };
}
