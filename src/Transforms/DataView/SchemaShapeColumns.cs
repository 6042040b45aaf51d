using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetExtensions.Transforms.DataView;

/// <summary>
/// Builds the <see cref="SchemaShape"/> an estimator promises. ML.NET keeps
/// <see cref="SchemaShape.Column"/>'s constructor internal (dotnet/machinelearning issues 4911, 6839),
/// so this one place reaches it by reflection; the library pins Microsoft.ML 5.0.1.
/// </summary>
internal static class SchemaShapeColumns
{
    private static readonly ConstructorInfo ColumnConstructor =
        typeof(SchemaShape.Column).GetConstructors(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)
            .SingleOrDefault(c => c.GetParameters().Length == 5)
        ?? throw new MissingMethodException("SchemaShape.Column's constructor (name, kind, item type, is key, annotations) was not found: this Microsoft.ML version is not supported.");

    /// <summary>A column of <paramref name="type"/>: a scalar, a known-size vector or a variable-size vector.</summary>
    /// <param name="name">The column name.</param>
    /// <param name="type">The column type.</param>
    /// <param name="annotations">The shape of the column's annotations (key values, slot names), or null for none.</param>
    public static SchemaShape.Column Create(string name, DataViewType type, SchemaShape? annotations = null)
    {
        var (kind, itemType) = type switch
        {
            VectorDataViewType vector when vector.IsKnownSize => (SchemaShape.Column.VectorKind.Vector, vector.ItemType),
            VectorDataViewType vector => (SchemaShape.Column.VectorKind.VariableVector, vector.ItemType),
            _ => (SchemaShape.Column.VectorKind.Scalar, type),
        };
        // A shape describes a key column by its raw type with isKey set; the key type itself is not allowed as item type.
        bool isKey = itemType is KeyDataViewType;
        if (itemType is KeyDataViewType key)
        {
            itemType = KeyRawType(key);
        }

        return (SchemaShape.Column)ColumnConstructor.Invoke(new object?[] { name, kind, itemType, isKey, annotations });
    }

    private static DataViewType KeyRawType(KeyDataViewType key) => key.RawType switch
    {
        var t when t == typeof(byte) => NumberDataViewType.Byte,
        var t when t == typeof(ushort) => NumberDataViewType.UInt16,
        var t when t == typeof(uint) => NumberDataViewType.UInt32,
        _ => NumberDataViewType.UInt64,
    };

    /// <summary><paramref name="input"/> with <paramref name="added"/> appended (an added column replaces an input column of the same name).</summary>
    public static SchemaShape Append(SchemaShape input, IEnumerable<MappedColumn> added)
    {
        var columns = input.ToDictionary(c => c.Name);
        foreach (var column in added)
        {
            columns[column.Name] = Create(column.Name, column.Type, column.Annotations is null ? null : ShapeOf(column.Annotations.Schema));
        }

        return new SchemaShape(columns.Values);
    }

    /// <summary>The shape of <paramref name="schema"/>'s columns (without their own annotations).</summary>
    public static SchemaShape ShapeOf(DataViewSchema schema) => new(schema.Select(column => Create(column.Name, column.Type)));
}
