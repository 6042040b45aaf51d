using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExtensions.Estimators.Classification;
using MLNetExtensions.Estimators.Training;
using MLNetExtensions.Transforms.Classification;
using MLNetExtensions.Transforms.DataView;
using MLNetExtensions.Transforms.Sequences;
using TorchSharp;

namespace MLNetExtensions.Estimators.Sequences;

/// <summary>
/// Trains a recurrent network with a persistent memory (PRNN, arXiv 1801.08094) — or a plain LSTM or GRU of the same
/// engine, one setting away — on sequences held in a float-vector column, with the project's training engine, as an
/// ML.NET trainer: multiclass classification of a key label (<c>mlContext.MulticlassClassification.Trainers.PersistentMemoryRnn</c>)
/// or regression of a Single label (<c>mlContext.Regression.Trainers.PersistentMemoryRnn</c>).
/// </summary>
/// <remarks>
/// Classification shares the project's classification base with the BERT classifiers: the same label checks (key type,
/// at least two classes present, missing keys skipped, keys outside the range rejected), validation split and output
/// columns. Sequences are checked row by row in training and inference alike: an empty sequence, a length that is not a
/// multiple of <see cref="PersistentMemoryRnnOptions.StepSize"/> and NaN/∞ values are errors naming the column.
/// </remarks>
public sealed class PersistentMemoryRnnEstimator : TorchTrainerEstimator<PersistentMemoryRnnOptions, PersistentMemoryRnnTransformer>
{
    private readonly bool _classification;

    internal PersistentMemoryRnnEstimator(MLContext mlContext, PersistentMemoryRnnOptions options, bool classification)
        : base(mlContext, options)
    {
        _classification = classification;
    }

    /// <summary>Trains on <paramref name="input"/> (the sequence column and the label) and returns the fitted network, which carries the run's result (<c>GetTrainingResult()</c>).</summary>
    /// <exception cref="ArgumentException">The labels hold one class only.</exception>
    /// <exception cref="InvalidOperationException">No training rows, no validation rows where validation was asked for, a bad sequence or a label outside the key range.</exception>
    private protected override PersistentMemoryRnnTransformer FitCore(IDataView input, int seed, torch.Device device)
    {
        PersistentMemoryRnnTransformer.CheckFeatureColumn(input.Schema, Options.FeatureColumnName, Options.StepSize);
        var (target, data) = _classification ? PrepareClassification(input, seed) : PrepareRegression(input, seed);

        using var generator = new torch.Generator((ulong)(uint)seed);
        var model = new PersistentMemoryRnn(Options.ToConfig(data.Outputs), generator);
        try
        {
            model.to(device);
            MemoryInitializer.Apply(model, Options, data.Train, seed);
            var objective = new PersistentMemoryRnnObjective(model, Options.FeatureColumnName, target, device);
            // With weight decay, matrices and the memory decay and biases and γ do not (the one decay rule of every
            // estimator); without, one group keeps the model's parameter order, in which the clipping norm is summed.
            var trained = model.named_parameters().Where(p => Options.LearnSharpness || p.name != "log_sharpness").Select(p => p.parameter).ToList();
            var groups = Options.WeightDecay > 0 ? ParameterGroup.SplitByWeightDecay("all", trained) : new[] { new ParameterGroup("all", trained) };
            var trainingOptions = Options.ToTrainingOptions(seed, PersistentMemoryRnnOptions.DefaultLearningRate, data.Validation is not null, Options.CheckpointFile);
            var result = Train("Training", model, objective, data.Train, data.Validation, groups, trainingOptions);
            return new PersistentMemoryRnnTransformer(model, CreateSettings(_classification ? data.Outputs : null, data.ClassNames)).WithTrainingResult(result);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The input schema with the trainer's columns added; checks the sequence and label columns.</summary>
    /// <param name="inputSchema">The shape of the input.</param>
    /// <returns>The shape of the output.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or of the wrong type.</exception>
    public override SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var features = inputSchema.FirstOrDefault(c => c.Name == Options.FeatureColumnName);
        if (features.Name is null || features.IsKey || features.ItemType != NumberDataViewType.Single || features.Kind == SchemaShape.Column.VectorKind.Scalar)
        {
            throw new ArgumentOutOfRangeException(
                nameof(PersistentMemoryRnnOptions.FeatureColumnName),
                $"Input column '{Options.FeatureColumnName}' (FeatureColumnName) must be a vector of Single holding a sequence{(features.Name is null ? ", but it was not found" : $", but it is {ClassificationLabel.Describe(features)}")}.");
        }

        int? classes = null;
        KeyValueNames? classNames = null;
        if (_classification)
        {
            var label = ClassificationLabel.Key(Options.LabelColumnName);
            var shape = label.CheckShape(inputSchema);

            // Shapes carry no key counts, so any class count describes the output.
            classes = 2;
            classNames = label.ClassNameType(shape) is { } type ? KeyValueNames.ForShape(type, classes.Value) : null;
        }
        else
        {
            var label = inputSchema.FirstOrDefault(c => c.Name == Options.LabelColumnName);
            if (label.Name is null || label.IsKey || label.ItemType != NumberDataViewType.Single || label.Kind != SchemaShape.Column.VectorKind.Scalar)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(PersistentMemoryRnnOptions.LabelColumnName),
                    $"Label column '{Options.LabelColumnName}' must be a Single{(label.Name is null ? ", but it was not found" : $", but it is {ClassificationLabel.Describe(label)}")}.");
            }
        }

        var settings = CreateSettings(classes, classNames);
        var classification = classes is int count ? ClassificationOutput.Multiclass(count, settings.ScoreColumnName, settings.PredictedLabelColumnName, classNames) : null;
        return SchemaShapeColumns.Append(inputSchema, PersistentMemoryRnnTransformer.CreateOutputColumns(settings, classification));
    }

    private (SequenceTarget Target, PreparedData Data) PrepareClassification(IDataView input, int seed)
    {
        var label = ClassificationLabel.Key(Options.LabelColumnName);
        var requirements = new[] { PersistentMemoryRnnObjective.FeatureRequirement(Options.FeatureColumnName), label.Requirement };
        var data = ClassifierTrainingData.Prepare(
            Context, label, requirements, input, Options, seed);
        return (SequenceTarget.Class(label, data.Classes), new PreparedData(data.Train, data.Validation, data.Classes, data.ClassNames));
    }

    /// <summary>Regression rows: NaN labels dropped (as ML.NET's regression trainers do), the same seeded split.</summary>
    private (SequenceTarget Target, PreparedData Data) PrepareRegression(IDataView input, int seed)
    {
        var target = SequenceTarget.Value(Options.LabelColumnName);
        foreach (var requirement in new[] { PersistentMemoryRnnObjective.FeatureRequirement(Options.FeatureColumnName), target.Requirement })
        {
            requirement.Resolve(input.Schema, "training data", nameof(input));
            if (Options.ValidationData is { } validation)
            {
                requirement.Resolve(validation.Schema, "validation data", nameof(PersistentMemoryRnnOptions.ValidationData));
            }
        }

        var train = Context.Data.FilterRowsByMissingValues(input, Options.LabelColumnName);
        var given = Options.ValidationData is { } rows ? Context.Data.FilterRowsByMissingValues(rows, Options.LabelColumnName) : null;
        var (trainRows, validationRows) = ClassifierTrainingData.Split(Context, train, given, Options.ValidationFraction, seed);
        long count = DataViewRowCount.Count(trainRows);
        if (count == 0)
        {
            string split = Options.ValidationFraction is null ? string.Empty : $" left after holding out {Options.OptionsName}.ValidationFraction";
            throw new InvalidOperationException($"The training data has no rows with a label in column '{Options.LabelColumnName}'{split}.");
        }

        if (validationRows is not null)
        {
            ClassifierTrainingData.RequireValidationRows(Options, DataViewRowCount.Count(validationRows), count, Options.LabelColumnName);
        }

        return (target, new PreparedData(trainRows, validationRows, 1, null));
    }

    private PersistentMemoryRnnSettings CreateSettings(int? classes, KeyValueNames? classNames) => new()
    {
        FeatureColumnName = Options.FeatureColumnName,
        NumberOfClasses = classes,
        ScoreColumnName = Options.ScoreColumnName,
        PredictedLabelColumnName = Options.PredictedLabelColumnName,
        AddressingColumnName = Options.AddressingColumnName,
        ClassNames = classNames?.Values,
        ClassNameType = classNames?.ItemType,
    };

    /// <summary>The rows to train and validate on, and the network's outputs (classes, or 1 for regression).</summary>
    private sealed record PreparedData(IDataView Train, IDataView? Validation, int Outputs, KeyValueNames? ClassNames);
}
