using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExtensions.Estimators.Classification;
using MLNetExtensions.Estimators.Training;

namespace MLNetExtensions.Estimators.Sequences;

/// <summary>What a sequence model predicts: a class of a key label (through the shared classification label) or a Single value.</summary>
internal sealed class SequenceTarget
{
    private readonly Func<DataViewRow, Func<float>> _createReader;

    private SequenceTarget(ColumnRequirement requirement, bool isClassification, Func<DataViewRow, Func<float>> createReader)
    {
        Requirement = requirement;
        IsClassification = isClassification;
        _createReader = createReader;
    }

    /// <summary>The label column and its type.</summary>
    public ColumnRequirement Requirement { get; }

    /// <summary>Whether the target is a class (else a regression value).</summary>
    public bool IsClassification { get; }

    /// <summary>A class in [0, classes) of a key label; missing labels must have been filtered out.</summary>
    public static SequenceTarget Class(ClassificationLabel label, int classes) => new(label.Requirement, true, row =>
    {
        var read = label.CreateReader(row);
        return () =>
        {
            int value = read();
            if (value < 0 || value >= classes)
            {
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                    $"Label column '{label.ColumnName}' holds key {value + 1}, outside its key range 1..{classes}."));
            }

            return value;
        };
    });

    /// <summary>A finite Single regression target (rows with a NaN label must have been filtered out).</summary>
    public static SequenceTarget Value(string column) => new(ColumnRequirement.Scalar(column, NumberDataViewType.Single), false, row =>
    {
        var getter = row.GetGetter<float>(row.Schema[column]);
        return () =>
        {
            float value = 0;
            getter(ref value);
            if (!float.IsFinite(value))
            {
                throw new InvalidOperationException($"Label column '{column}' holds {value.ToString(CultureInfo.InvariantCulture)}; regression targets must be finite numbers.");
            }

            return value;
        };
    });

    /// <summary>A reader of the current row's target.</summary>
    public Func<float> CreateReader(DataViewRow row) => _createReader(row);
}
