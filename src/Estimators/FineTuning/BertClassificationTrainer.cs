using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExtensions.Estimators.Classification;
using MLNetExtensions.Estimators.Training;
using MLNetExtensions.Transforms.Bert;
using MLNetExtensions.Transforms.DataView;
using MLNetExtensions.Transforms.Classification;
using MLNetExtensions.Transforms.Text;
using TorchSharp;

namespace MLNetExtensions.Estimators.FineTuning;

/// <summary>
/// Fine-tunes a BERT encoder and a classifier head on labelled text with the project's training engine
/// (AdamW, linear warm-up and decay, gradient clipping, optional validation with early stopping), and returns the
/// fitted classifier. <see cref="BertBinaryClassificationTrainer"/> and <see cref="BertMulticlassClassificationTrainer"/>
/// differ only in the label type and in the columns the fitted transformer adds.
/// </summary>
/// <typeparam name="TTransformer">The fitted transformer.</typeparam>
public abstract class BertClassificationTrainer<TTransformer> : TorchTrainerEstimator<BertClassificationOptions, TTransformer>
    where TTransformer : BertClassificationTransformer
{
    private readonly BertClassifierStart _start;
    private readonly BertClassificationObjective.Columns _columns;

    private protected BertClassificationTrainer(MLContext mlContext, BertClassificationOptions options, Func<string, ClassificationLabel> label)
        : base(mlContext, options)
    {
        _start = BertClassifierStart.Resolve(options);
        _columns = new BertClassificationObjective.Columns(options.TextColumnName, options.SecondTextColumnName, label(options.LabelColumnName));
    }

    /// <summary>Fine-tunes on <paramref name="input"/> (the text column(s) and the label) and returns the classifier, which carries the run's result (<c>GetTrainingResult()</c>).</summary>
    /// <exception cref="ArgumentException">The training labels hold only one class.</exception>
    /// <exception cref="InvalidOperationException">The training data is empty, or validation was asked for and has no rows.</exception>
    private protected override TTransformer FitCore(IDataView input, int seed, torch.Device device)
    {
        var data = ClassifierTrainingData.Prepare(
            Context, _columns.Label, _columns.Requirements, input, Options, seed);
        var model = _start.CreateModel(data.Classes, seed, Options.Pooling, Options.ClassifierDropout);
        try
        {
            model.to(device);
            var objective = new BertClassificationObjective(model, _columns, _start.Encoder, _start.MaximumLength, device);
            double defaultRate = _start.Pretrained is null && _start.CheckpointPath is null ? BertClassificationOptions.RandomStartLearningRate : BertClassificationOptions.PretrainedLearningRate;
            var trainingOptions = Options.ToTrainingOptions(seed, defaultRate, data.Validation is not null, Options.CheckpointFile);
            var result = Train("Fine-tuning", model, objective, data.Train, data.Validation, OptimizerGroups(model), trainingOptions);
            return CreateTransformer(model, _start.Encoder, CreateSettings(data.Classes, data.ClassNames)).WithTrainingResult(result);
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
    public override SchemaShape GetOutputSchema(SchemaShape inputSchema)
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
        var classNames = _columns.Label.ClassNameType(labelShape) is { } type ? KeyValueNames.ForShape(type, anyClassCount) : null;
        return SchemaShapeColumns.Append(inputSchema, CreateOutputColumns(CreateSettings(anyClassCount, classNames)));
    }

    /// <summary>The fitted transformer of this task.</summary>
    private protected abstract TTransformer CreateTransformer(BertForSequenceClassification model, WordPieceEncoder encoder, BertClassificationSettings settings);

    /// <summary>The columns the fitted transformer adds.</summary>
    private protected abstract IReadOnlyList<MappedColumn> CreateOutputColumns(BertClassificationSettings settings);

    /// <summary>Weight matrices and embeddings decay; biases and layer norms do not (as in BERT).</summary>
    private static IReadOnlyList<ParameterGroup> OptimizerGroups(BertForSequenceClassification model) =>
        ParameterGroup.SplitByWeightDecay("decay", model.parameters(), noDecayName: "no_decay");

    private BertClassificationSettings CreateSettings(int classes, KeyValueNames? classNames) => new()
    {
        TextColumnName = Options.TextColumnName,
        SecondTextColumnName = Options.SecondTextColumnName,
        MaximumLength = _start.MaximumLength,
        NumberOfClasses = classes,
        Pooling = Options.Pooling,
        ScoreColumnName = Options.ScoreColumnName,
        PredictedLabelColumnName = Options.PredictedLabelColumnName,
        ProbabilityColumnName = Options.ProbabilityColumnName,
        ClassNames = classNames?.Values,
        ClassNameType = classNames?.ItemType,
    };
}
