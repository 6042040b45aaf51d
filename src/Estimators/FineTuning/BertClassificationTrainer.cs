using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExtensions.Estimators.Training;
using MLNetExtensions.Transforms.Bert;
using MLNetExtensions.Transforms.DataView;
using MLNetExtensions.Transforms.FineTuning;
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
        var requirements = _columns.Requirements;
        var labelColumn = Resolve(requirements, input.Schema, "training data", nameof(input))[^1];
        var label = _columns.Label;
        int classes = label.CountClasses(labelColumn);
        if (_options.ValidationData is { } validation)
        {
            var validationLabel = Resolve(requirements, validation.Schema, "validation data", nameof(BertClassificationOptions.ValidationData))[^1];
            if (label.CountClasses(validationLabel) != classes)
            {
                throw new ArgumentException(
                    $"The label column '{label.ColumnName}' has {classes} classes in the training data but {label.CountClasses(validationLabel)} in the validation data; map both with the same MapValueToKey transformer.",
                    nameof(BertClassificationOptions.ValidationData));
            }
        }

        var classNames = label.ClassNames(labelColumn);
        bool hasMissingLabels = CheckLabels(input, classes, classNames);
        int seed = _options.Seed ?? TrainingEngine.TryGetContextSeed(_mlContext) ?? Random.Shared.Next();

        var trainData = hasMissingLabels ? WithoutMissingLabels(input) : input;
        var validationData = _options.ValidationData is { } given ? WithoutMissingLabels(given) : null;
        if (_options.ValidationFraction is double fraction)
        {
            var split = _mlContext.Data.TrainTestSplit(trainData, fraction, seed: seed);
            (trainData, validationData) = (split.TrainSet, split.TestSet);
        }

        var device = TorchDeviceSelector.Select(_mlContext);
        var model = _start.CreateModel(classes, seed, _options.Pooling, _options.ClassifierDropout);
        try
        {
            model.to(device);
            var objective = new BertClassificationObjective(model, _columns, _start.Encoder, _start.MaximumLength, device);
            var result = new TrainingEngine().Train(
                _mlContext, model, objective, trainData, validationData, OptimizerGroups(model), CreateTrainingOptions(trainData, classes, seed, validationData is not null), _options.Progress, _options.CancellationToken);
            if (result.Cancelled)
            {
                throw new OperationCanceledException($"Fine-tuning was cancelled after {result.Steps} of {result.TotalSteps} steps.", _options.CancellationToken);
            }

            LastTrainingResult = result;
            var settings = CreateSettings(classes, classNames);
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

        var label = _columns.Label;
        var labelShape = inputSchema.FirstOrDefault(c => c.Name == label.ColumnName);
        if (labelShape.Name is null)
        {
            throw new ArgumentOutOfRangeException(nameof(BertClassificationOptions.LabelColumnName), $"Label column '{label.ColumnName}' of type {label.ExpectedType} was not found in the input.");
        }

        if (!label.AcceptsShape(labelShape))
        {
            throw new ArgumentOutOfRangeException(
                nameof(BertClassificationOptions.LabelColumnName),
                $"Label column '{label.ColumnName}' is {Describe(labelShape)}, but {label.ExpectedType} is expected.");
        }

        // Shapes carry no vector sizes or key counts, so any class count describes the output.
        const int anyClassCount = 2;
        var classNames = label.HasClassNames(labelShape) ? new string[anyClassCount] : null;
        return SchemaShapeColumns.Append(inputSchema, CreateOutputColumns(CreateSettings(anyClassCount, classNames?.Select(_ => string.Empty).ToArray())));
    }

    /// <summary>The fitted transformer of this task.</summary>
    private protected abstract TTransformer CreateTransformer(BertForSequenceClassification model, WordPieceEncoder encoder, BertClassificationSettings settings);

    /// <summary>The columns the fitted transformer adds.</summary>
    private protected abstract IReadOnlyList<MappedColumn> CreateOutputColumns(BertClassificationSettings settings);

    private static List<DataViewSchema.Column> Resolve(IReadOnlyList<ColumnRequirement> requirements, DataViewSchema schema, string description, string parameterName) =>
        requirements.Select(requirement => requirement.Resolve(schema, description, parameterName)).ToList();

    private static string Describe(SchemaShape.Column column) =>
        $"{(column.IsKey ? "a key of " : string.Empty)}{column.ItemType}{(column.Kind == SchemaShape.Column.VectorKind.Scalar ? string.Empty : $" ({column.Kind})")}";

    /// <summary>Rows with a missing label (key 0) dropped, as ML.NET's trainers do; Boolean labels cannot be missing.</summary>
    private IDataView WithoutMissingLabels(IDataView data) =>
        _columns.Label.CanBeMissing ? _mlContext.Data.FilterRowsByMissingValues(data, _columns.Label.ColumnName) : data;

    /// <summary>Weight matrices and embeddings decay; biases and layer norms do not (as in BERT).</summary>
    private static IReadOnlyList<ParameterGroup> OptimizerGroups(BertForSequenceClassification model)
    {
        static bool NoDecay(string name) => name.EndsWith(".bias", StringComparison.Ordinal) || name.Contains("LayerNorm", StringComparison.Ordinal);
        return new[]
        {
            ParameterGroup.Where(model, "decay", name => !NoDecay(name)),
            ParameterGroup.Where(model, "no_decay", NoDecay, applyWeightDecay: false),
        };
    }

    /// <summary>Reads the labels once: rejects empty data and data with a single class; says whether labels are missing.</summary>
    private bool CheckLabels(IDataView data, int classes, IReadOnlyList<string>? classNames)
    {
        var label = _columns.Label;
        var (counts, missing) = CountLabels(data, classes);
        long labelled = counts.Sum();
        if (labelled == 0)
        {
            throw new InvalidOperationException(missing == 0
                ? "The training data is empty: it has no rows to fine-tune on."
                : $"Every one of the {missing} training rows has a missing label in column '{label.ColumnName}'.");
        }

        var present = Enumerable.Range(0, classes).Where(c => counts[c] > 0).ToList();
        if (present.Count < 2)
        {
            throw new ArgumentException(
                $"The label column '{label.ColumnName}' holds only one class ({label.Describe(present[0], classNames)}) in all {labelled} training rows: a classifier needs examples of at least two classes.",
                nameof(data));
        }

        return missing > 0;
    }

    /// <summary>Rows per class, and rows with a missing label.</summary>
    private (long[] Counts, long Missing) CountLabels(IDataView data, int classes)
    {
        var counts = new long[classes];
        long missing = 0;
        using var cursor = data.GetRowCursor(new[] { data.Schema[_columns.Label.ColumnName] });
        var read = _columns.Label.CreateReader(cursor);
        while (cursor.MoveNext())
        {
            int value = read();
            if (value < 0)
            {
                missing++;
            }
            else
            {
                counts[value]++;
            }
        }

        return (counts, missing);
    }

    private TrainingOptions CreateTrainingOptions(IDataView trainData, int classes, int seed, bool validates)
    {
        long rows = CountLabels(trainData, classes).Counts.Sum();
        if (rows == 0)
        {
            throw new InvalidOperationException("No training rows remain after holding out the validation rows (ValidationFraction).");
        }

        long perEpoch = (rows + _options.BatchSize - 1) / _options.BatchSize;
        long total = _options.Epochs is int epochs ? epochs * perEpoch : _options.MaxSteps ?? perEpoch;
        if (_options.MaxSteps is long maxSteps)
        {
            total = Math.Min(total, maxSteps);
        }

        return new TrainingOptions
        {
            BatchSize = _options.BatchSize,
            Epochs = _options.Epochs,
            MaxSteps = _options.MaxSteps,
            LearningRate = _options.LearningRate,
            WeightDecay = _options.WeightDecay,
            WarmupSteps = (long)Math.Floor(_options.WarmupFraction * total),
            Decay = LearningRateDecay.Linear,
            MaxGradientNorm = _options.MaxGradientNorm,
            Seed = seed,
            Threads = _options.NumberOfThreads,
            ValidateEveryNSteps = validates ? _options.ValidateEveryNSteps : null,
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
