using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExtensions.Estimators.Training;
using MLNetExtensions.Transforms.DataView;

namespace MLNetExtensions.Estimators.Classification;

/// <summary>
/// The label column of a classification task as ML.NET's trainers expect it: Boolean for binary classification
/// (false → class 0, true → class 1) or a UInt32 key for multiclass (key k → class k − 1; key 0 is a missing label).
/// Shared by every classifier of the project (BERT fine-tuning, the persistent-memory RNN).
/// </summary>
internal abstract class ClassificationLabel
{
    /// <summary>The option that names the label column, in every classifier's options.</summary>
    private const string LabelOption = "LabelColumnName";

    private ClassificationLabel(string columnName, string expectedType)
    {
        ColumnName = columnName;
        ExpectedType = expectedType;
        Requirement = new ColumnRequirement(columnName, expectedType, Accepts);
    }

    /// <summary>The label column's name.</summary>
    public string ColumnName { get; }

    /// <summary>The accepted type, for messages.</summary>
    public string ExpectedType { get; }

    /// <summary>The requirement the training engine checks.</summary>
    public ColumnRequirement Requirement { get; }

    /// <summary>A Boolean label (binary classification).</summary>
    public static ClassificationLabel Boolean(string columnName) => new BooleanLabel(columnName);

    /// <summary>A key label (multiclass classification).</summary>
    public static ClassificationLabel Key(string columnName) => new KeyLabel(columnName);

    /// <summary>Whether a value can be missing (key 0).</summary>
    public abstract bool CanBeMissing { get; }

    /// <summary>Whether a column of <paramref name="type"/> can be the label.</summary>
    public abstract bool Accepts(DataViewType type);

    /// <summary>Whether a column of this shape can be the label (estimator schema propagation).</summary>
    public abstract bool AcceptsShape(SchemaShape.Column column);

    /// <summary>The type of the key values (class names) of a label of this shape, which the outputs then carry, or null for none.</summary>
    public string? ClassNameType(SchemaShape.Column column) => column.IsKey ? KeyValueNames.ItemTypeOf(column) : null;

    /// <summary>
    /// Checks the label column of an estimator's input shape (schema propagation): present and of the accepted type.
    /// Returns the column.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The column is missing or of another type; names the option and the column.</exception>
    public SchemaShape.Column CheckShape(SchemaShape inputSchema)
    {
        var shape = inputSchema.FirstOrDefault(c => c.Name == ColumnName);
        if (shape.Name is null)
        {
            throw new ArgumentOutOfRangeException(LabelOption, $"Label column '{ColumnName}' of type {ExpectedType} was not found in the input.");
        }

        if (!AcceptsShape(shape))
        {
            throw new ArgumentOutOfRangeException(LabelOption, $"Label column '{ColumnName}' is {Describe(shape)}, but {ExpectedType} is expected.");
        }

        return shape;
    }

    /// <summary>The number of classes the label column holds.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The key type has fewer than 2 values.</exception>
    public abstract int CountClasses(DataViewSchema.Column column);

    /// <summary>The key values of the label column (one per class: text, numbers or Boolean), or null.</summary>
    public KeyValueNames? ClassNames(DataViewSchema.Column column) => KeyValueNames.Read(column);

    /// <summary>A column shape for messages: <c>a key of UInt32</c>, <c>Single (Vector)</c>…</summary>
    internal static string Describe(SchemaShape.Column column) =>
        $"{(column.IsKey ? "a key of " : string.Empty)}{column.ItemType}{(column.Kind == SchemaShape.Column.VectorKind.Scalar ? string.Empty : $" ({column.Kind})")}";

    /// <summary>A class as it appears in the data, for messages.</summary>
    public abstract string Describe(int classIndex, IReadOnlyList<string>? classNames);

    /// <summary>A reader of the current row's class index (0-based), or −1 for a missing label.</summary>
    public abstract Func<int> CreateReader(DataViewRow row);

    private sealed class BooleanLabel : ClassificationLabel
    {
        public BooleanLabel(string columnName)
            : base(columnName, "Boolean")
        {
        }

        public override bool CanBeMissing => false;

        public override bool Accepts(DataViewType type) => type is BooleanDataViewType;

        public override bool AcceptsShape(SchemaShape.Column column) =>
            column.Kind == SchemaShape.Column.VectorKind.Scalar && !column.IsKey && column.ItemType is BooleanDataViewType;

        public override int CountClasses(DataViewSchema.Column column) => 2;

        public override string Describe(int classIndex, IReadOnlyList<string>? classNames) => classIndex == 1 ? "true" : "false";

        public override Func<int> CreateReader(DataViewRow row)
        {
            var getter = row.GetGetter<bool>(row.Schema[ColumnName]);
            return () =>
            {
                bool value = false;
                getter(ref value);
                return value ? 1 : 0;
            };
        }
    }

    private sealed class KeyLabel : ClassificationLabel
    {
        public KeyLabel(string columnName)
            : base(columnName, "Key<UInt32> (as made by MapValueToKey)")
        {
        }

        public override bool CanBeMissing => true;

        public override bool Accepts(DataViewType type) => type is KeyDataViewType key && key.RawType == typeof(uint);

        public override bool AcceptsShape(SchemaShape.Column column) =>
            column.Kind == SchemaShape.Column.VectorKind.Scalar && column.IsKey && column.ItemType.RawType == typeof(uint);

        public override int CountClasses(DataViewSchema.Column column)
        {
            ulong count = ((KeyDataViewType)column.Type).Count;
            if (count < 2)
            {
                throw new ArgumentOutOfRangeException(
                    LabelOption,
                    $"The label column '{ColumnName}' is a key type with {count} value(s); multiclass classification needs at least 2 classes.");
            }

            if (count > int.MaxValue)
            {
                throw new ArgumentOutOfRangeException(
                    LabelOption,
                    string.Create(CultureInfo.InvariantCulture, $"The label column '{ColumnName}' is a key type with {count} values, too many classes for a classifier head."));
            }

            return (int)count;
        }

        public override string Describe(int classIndex, IReadOnlyList<string>? classNames) =>
            classNames is not null && classIndex < classNames.Count
                ? $"'{classNames[classIndex]}'"
                : string.Create(CultureInfo.InvariantCulture, $"key {classIndex + 1}");

        public override Func<int> CreateReader(DataViewRow row)
        {
            var getter = row.GetGetter<uint>(row.Schema[ColumnName]);
            return () =>
            {
                uint value = 0;
                getter(ref value);
                return (int)value - 1;
            };
        }
    }
}
