using System.Globalization;
using Microsoft.ML;
using MLNetExtensions.Estimators.Training;
using MLNetExtensions.Transforms.DataView;

namespace MLNetExtensions.Estimators.Classification;

/// <summary>
/// The rows a classifier trains and validates on, checked once before training: the columns against the objective's
/// requirements, the class count (the same in training and validation data), at least two classes present, rows with a
/// missing label dropped (as ML.NET's trainers do), and the optional seeded validation split, which must leave rows on
/// both sides. Every classifier of the project (BERT fine-tuning, the persistent-memory RNN) prepares its data here.
/// </summary>
/// <param name="Train">The training rows, without missing labels.</param>
/// <param name="Validation">The validation rows, or null.</param>
/// <param name="Classes">The number of classes.</param>
/// <param name="ClassNames">The label's key values (one per class: text, numbers or Boolean), or null.</param>
internal sealed record ClassifierTrainingData(IDataView Train, IDataView? Validation, int Classes, KeyValueNames? ClassNames)
{
    /// <summary>Checks and prepares the data of a classifier.</summary>
    /// <param name="mlContext">The context (filters and the split).</param>
    /// <param name="label">The label column.</param>
    /// <param name="requirements">Every column the objective reads, the label included.</param>
    /// <param name="input">The training rows.</param>
    /// <param name="options">The estimator's options: their validation rows or fraction, and their name for messages.</param>
    /// <param name="seed">The seed of the split.</param>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or of the wrong type.</exception>
    /// <exception cref="ArgumentException">The labels hold one class, or training and validation class counts differ.</exception>
    /// <exception cref="InvalidOperationException">No labelled training rows, or no validation rows where validation was asked for.</exception>
    public static ClassifierTrainingData Prepare(
        MLContext mlContext,
        ClassificationLabel label,
        IReadOnlyList<ColumnRequirement> requirements,
        IDataView input,
        SingleRunTrainerOptions options,
        int seed)
    {
        var validation = options.ValidationData;
        const string validationOption = nameof(SingleRunTrainerOptions.ValidationData);
        var labelColumn = ResolveLabel(requirements, label, input.Schema, "training data", nameof(input));
        int classes = label.CountClasses(labelColumn);
        var classNames = label.ClassNames(labelColumn);
        if (validation is not null)
        {
            var validationLabel = ResolveLabel(requirements, label, validation.Schema, "validation data", validationOption);
            int validationClasses = label.CountClasses(validationLabel);
            if (validationClasses != classes)
            {
                throw new ArgumentException(
                    $"The label column '{label.ColumnName}' has {classes} classes in the training data but {validationClasses} in the validation data; map both with the same MapValueToKey transformer.",
                    validationOption);
            }

            // The same count in another order (each side mapped by its own MapValueToKey) would silently permute the
            // validation labels; the class names show it when both sides carry them.
            if (classNames is not null && label.ClassNames(validationLabel) is { } validationNames && !classNames.Values.SequenceEqual(validationNames.Values))
            {
                throw new ArgumentException(
                    $"The label column '{label.ColumnName}' numbers its classes differently in the validation data ({string.Join(", ", validationNames.Values)}) " +
                    $"than in the training data ({string.Join(", ", classNames.Values)}); map both with the same MapValueToKey transformer.",
                    validationOption);
            }
        }

        bool hasMissingLabels = CheckLabels(label, input, classes, classNames?.Values);
        var train = hasMissingLabels ? WithoutMissingLabels(mlContext, label, input) : input;
        var validationRows = validation is null ? null : WithoutMissingLabels(mlContext, label, validation);
        (train, validationRows) = Split(mlContext, train, validationRows, options.ValidationFraction, seed);
        long trainingRows = CountLabels(label, train, classes).Counts.Sum();
        if (trainingRows == 0)
        {
            throw new InvalidOperationException($"No training rows remain after holding out the validation rows ({options.OptionsName}.ValidationFraction).");
        }

        if (validationRows is not null)
        {
            RequireValidationRows(options, CountLabels(label, validationRows, classes).Counts.Sum(), trainingRows, label.ColumnName);
        }

        return new ClassifierTrainingData(train, validationRows, classes, classNames);
    }

    /// <summary>Holds out <paramref name="fraction"/> of <paramref name="train"/> for validation when set (seeded); else keeps the given validation rows.</summary>
    public static (IDataView Train, IDataView? Validation) Split(MLContext mlContext, IDataView train, IDataView? validation, double? fraction, int seed)
    {
        if (fraction is not double share)
        {
            return (train, validation);
        }

        var split = mlContext.Data.TrainTestSplit(train, share, seed: seed);
        return (split.TrainSet, split.TestSet);
    }

    /// <summary>
    /// Refuses validation that has no rows when training starts, naming the option that gave them: the engine would
    /// otherwise find out only at the first validation, after a whole epoch of training.
    /// </summary>
    /// <param name="options">The options that asked for validation.</param>
    /// <param name="validationRows">The validation rows with a label.</param>
    /// <param name="trainingRows">The training rows with a label, after the split.</param>
    /// <param name="labelColumn">The label column (rows with a missing label are dropped).</param>
    /// <exception cref="InvalidOperationException"><paramref name="validationRows"/> is 0.</exception>
    public static void RequireValidationRows(SingleRunTrainerOptions options, long validationRows, long trainingRows, string labelColumn)
    {
        if (validationRows > 0)
        {
            return;
        }

        string name = options.OptionsName;
        throw new InvalidOperationException(options.ValidationFraction is double fraction
            ? string.Create(CultureInfo.InvariantCulture, $"{name}.ValidationFraction = {fraction} holds out none of the {trainingRows} training rows with a label: raise it, or give validation rows in {name}.ValidationData.")
            : $"{name}.ValidationData has no rows with a label in column '{labelColumn}': give it rows, or leave it null to train without validation.");
    }

    private static DataViewSchema.Column ResolveLabel(IReadOnlyList<ColumnRequirement> requirements, ClassificationLabel label, DataViewSchema schema, string description, string parameterName)
    {
        foreach (var requirement in requirements)
        {
            requirement.Resolve(schema, description, parameterName);
        }

        return schema[label.ColumnName];
    }

    /// <summary>Rows with a missing label (key 0) dropped; Boolean labels cannot be missing.</summary>
    private static IDataView WithoutMissingLabels(MLContext mlContext, ClassificationLabel label, IDataView data) =>
        label.CanBeMissing ? mlContext.Data.FilterRowsByMissingValues(data, label.ColumnName) : data;

    /// <summary>Reads the labels once: rejects empty data and data with a single class; says whether labels are missing.</summary>
    private static bool CheckLabels(ClassificationLabel label, IDataView data, int classes, IReadOnlyList<string>? classNames)
    {
        var (counts, missing) = CountLabels(label, data, classes);
        long labelled = counts.Sum();
        if (labelled == 0)
        {
            throw new InvalidOperationException(missing == 0
                ? "The training data is empty: it has no rows to train on."
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
    private static (long[] Counts, long Missing) CountLabels(ClassificationLabel label, IDataView data, int classes)
    {
        var counts = new long[classes];
        long missing = 0;
        using var cursor = data.GetRowCursor(new[] { data.Schema[label.ColumnName] });
        var read = label.CreateReader(cursor);
        while (cursor.MoveNext())
        {
            int value = read();
            if (value < 0)
            {
                missing++;
            }
            else if (value >= classes)
            {
                throw new InvalidOperationException(
                    $"Label column '{label.ColumnName}' holds key {value + 1}, outside its key range 1..{classes}; build keys with MapValueToKey.");
            }
            else
            {
                counts[value]++;
            }
        }

        return (counts, missing);
    }
}
