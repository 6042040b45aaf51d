using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetExtensions.Transforms.DataView;

/// <summary>
/// Reads ID columns (items, users, sessions, attribute IDs) as strings: text columns as they are, integer columns in
/// their invariant decimal form, key columns (as made by <c>MapValueToKey</c>) as the value their key stands for (its
/// <c>KeyValues</c> annotation, text or numbers, else the key's number), so that text, integer and key IDs share one vocabulary. Empty
/// text and key 0 are a missing ID.
/// </summary>
internal static class IdColumn
{
    /// <summary>The column types an ID can have, for error messages.</summary>
    public const string SupportedTypes = "String (text), an integer type (Int32, Int64, UInt32, UInt64) or a key (as made by MapValueToKey)";

    /// <summary>Whether an ID can be read from a column of <paramref name="type"/>.</summary>
    public static bool IsSupported(DataViewType type) =>
        type is TextDataViewType or KeyDataViewType
        || type == NumberDataViewType.Int32 || type == NumberDataViewType.Int64
        || type == NumberDataViewType.UInt32 || type == NumberDataViewType.UInt64;

    /// <summary>Whether an ID can be read from a column of this shape (a scalar of a supported type, or a scalar key).</summary>
    public static bool IsSupported(SchemaShape.Column column) =>
        column.Name is not null && column.Kind == SchemaShape.Column.VectorKind.Scalar && (column.IsKey || IsSupported(column.ItemType));

    /// <summary>Throws naming <paramref name="optionName"/> when <paramref name="columnName"/> is missing or of an unsupported type.</summary>
    /// <param name="schema">The view's schema.</param>
    /// <param name="columnName">The column to check.</param>
    /// <param name="optionName">The option that names the column.</param>
    /// <param name="viewDescription">The view, as the middle of a sentence ("the interactions", "ItemAttributes").</param>
    public static void Check(DataViewSchema schema, string columnName, string optionName, string viewDescription)
    {
        var column = schema.GetColumnOrNull(columnName)
            ?? throw new ArgumentOutOfRangeException(optionName, $"There is no column '{columnName}' ({optionName}) in {viewDescription}.");
        if (!IsSupported(column.Type))
        {
            throw new ArgumentOutOfRangeException(
                optionName,
                $"Column '{columnName}' ({optionName}) of {viewDescription} is {column.Type}; an ID column must be {SupportedTypes}.");
        }
    }

    /// <summary>A getter returning the current row's ID, or null when it is missing (empty text).</summary>
    public static Func<string?> Reader(DataViewRow row, string columnName)
    {
        var column = row.Schema[columnName];
        switch (column.Type)
        {
            case TextDataViewType:
            {
                var getter = row.GetGetter<ReadOnlyMemory<char>>(column);
                ReadOnlyMemory<char> value = default;
                return () =>
                {
                    getter(ref value);
                    return value.IsEmpty ? null : value.ToString();
                };
            }

            case KeyDataViewType key:
                return Key(row, column, key);
            case var t when t == NumberDataViewType.Int32:
                return Integer<int>(row, column);
            case var t when t == NumberDataViewType.Int64:
                return Integer<long>(row, column);
            case var t when t == NumberDataViewType.UInt32:
                return Integer<uint>(row, column);
            case var t when t == NumberDataViewType.UInt64:
                return Integer<ulong>(row, column);
            default:
                throw new ArgumentOutOfRangeException(columnName, $"Column '{columnName}' is {column.Type}; an ID column must be {SupportedTypes}.");
        }
    }

    /// <summary>
    /// A key's ID: the value its key stands for when the column carries KeyValues (text, or a number in its invariant form,
    /// so that an integer ID mapped to keys stays the same ID), else the key number.
    /// </summary>
    private static Func<string?> Key(DataViewRow row, DataViewSchema.Column column, KeyDataViewType key)
    {
        var names = KeyValueNames.Read(column)?.Values;

        Func<ulong> read = key.RawType == typeof(uint) ? Raw<uint>(row, column, v => v)
            : key.RawType == typeof(ulong) ? Raw<ulong>(row, column, v => v)
            : key.RawType == typeof(ushort) ? Raw<ushort>(row, column, v => v)
            : Raw<byte>(row, column, v => v);
        return () =>
        {
            ulong value = read();
            return value == 0 ? null
                : names is not null && value <= (ulong)names.Count ? names[(int)value - 1]
                : value.ToString(CultureInfo.InvariantCulture);
        };
    }

    private static Func<ulong> Raw<T>(DataViewRow row, DataViewSchema.Column column, Func<T, ulong> widen)
    {
        var getter = row.GetGetter<T>(column);
        T value = default!;
        return () =>
        {
            getter(ref value);
            return widen(value);
        };
    }

    private static Func<string?> Integer<T>(DataViewRow row, DataViewSchema.Column column)
        where T : IFormattable
    {
        var getter = row.GetGetter<T>(column);
        T value = default!;
        return () =>
        {
            getter(ref value);
            return value.ToString(null, CultureInfo.InvariantCulture);
        };
    }
}
