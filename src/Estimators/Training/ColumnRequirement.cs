using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetExtensions.Estimators.Training;

/// <summary>
/// A column an objective reads, with the type it expects. The engine checks requirements before training and
/// reports a missing or mistyped column by name and expected type.
/// </summary>
public sealed class ColumnRequirement
{
    private readonly Func<DataViewType, bool> _accepts;

    /// <summary>Creates a requirement with a custom type test.</summary>
    /// <param name="name">The column name.</param>
    /// <param name="expectedType">A readable description of the accepted types, used in error messages.</param>
    /// <param name="accepts">Returns true for column types the objective can read.</param>
    public ColumnRequirement(string name, string expectedType, Func<DataViewType, bool> accepts)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(expectedType);
        ArgumentNullException.ThrowIfNull(accepts);
        Name = name;
        ExpectedType = expectedType;
        _accepts = accepts;
    }

    /// <summary>The column name.</summary>
    public string Name { get; }

    /// <summary>A readable description of the accepted column types.</summary>
    public string ExpectedType { get; }

    /// <summary>Whether a column of type <paramref name="type"/> satisfies this requirement.</summary>
    /// <param name="type">The column type found in the data.</param>
    /// <returns>True when the objective can read such a column.</returns>
    public bool Accepts(DataViewType type) => _accepts(type);

    /// <summary>A scalar column of exactly <paramref name="type"/> (for example <see cref="NumberDataViewType.Single"/>).</summary>
    /// <param name="name">The column name.</param>
    /// <param name="type">The scalar type.</param>
    /// <returns>The requirement.</returns>
    public static ColumnRequirement Scalar(string name, PrimitiveDataViewType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return new ColumnRequirement(name, type.ToString() ?? type.RawType.Name, t => t.Equals(type));
    }

    /// <summary>A vector column of <paramref name="itemType"/> items.</summary>
    /// <param name="name">The column name.</param>
    /// <param name="itemType">The item type.</param>
    /// <param name="size">The required fixed size, or 0 to accept any size, fixed or variable.</param>
    /// <returns>The requirement.</returns>
    public static ColumnRequirement Vector(string name, PrimitiveDataViewType itemType, int size = 0)
    {
        ArgumentNullException.ThrowIfNull(itemType);
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        string description = size > 0 ? $"Vector<{itemType}, {size}>" : $"Vector<{itemType}> (any size)";
        return new ColumnRequirement(
            name,
            description,
            t => t is VectorDataViewType v && v.ItemType.Equals(itemType) && (size == 0 || v.Size == size));
    }

    /// <summary>A key column (any key count, any raw type).</summary>
    /// <param name="name">The column name.</param>
    /// <returns>The requirement.</returns>
    public static ColumnRequirement Key(string name) =>
        new(name, "Key (any key count and raw type)", t => t is KeyDataViewType);

    /// <summary>Finds the column in <paramref name="schema"/> or throws, naming the column and the expected type.</summary>
    /// <param name="schema">The schema of the data.</param>
    /// <param name="dataDescription">How to call the data in messages, e.g. "training data".</param>
    /// <param name="parameterName">The argument that holds the data.</param>
    /// <returns>The schema column.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The column is missing, hidden or of the wrong type.</exception>
    internal DataViewSchema.Column Resolve(DataViewSchema schema, string dataDescription, string parameterName)
    {
        var column = schema.GetColumnOrNull(Name);
        if (column is null)
        {
            string available = string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => $"'{c.Name}'"));
            throw new ArgumentOutOfRangeException(
                parameterName,
                $"Column '{Name}' of type {ExpectedType} was not found in the {dataDescription}. Available columns: {available}.");
        }

        if (!Accepts(column.Value.Type))
        {
            throw new ArgumentOutOfRangeException(
                parameterName,
                $"Column '{Name}' in the {dataDescription} has type {column.Value.Type}, but {ExpectedType} is expected.");
        }

        return column.Value;
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name}: {ExpectedType}";
}
