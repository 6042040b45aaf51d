using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetExtensions.Transforms.Ids;

/// <summary>
/// Reads ID columns (items, users, sessions, attribute IDs) as strings: text columns as they are, integer columns in
/// their invariant decimal form, so that string and integer IDs share one vocabulary. Empty text is a missing ID.
/// </summary>
internal static class IdColumn
{
    /// <summary>The column types an ID can have, for error messages.</summary>
    public const string SupportedTypes = "String (text) or an integer type (Int32, Int64, UInt32, UInt64)";

    /// <summary>Whether an ID can be read from a column of <paramref name="type"/>.</summary>
    public static bool IsSupported(DataViewType type) =>
        type is TextDataViewType
        || type == NumberDataViewType.Int32 || type == NumberDataViewType.Int64
        || type == NumberDataViewType.UInt32 || type == NumberDataViewType.UInt64;

    /// <summary>Throws naming <paramref name="optionName"/> when <paramref name="columnName"/> is missing or of an unsupported type.</summary>
    public static void Check(DataViewSchema schema, string columnName, string optionName, string viewDescription)
    {
        var column = schema.GetColumnOrNull(columnName)
            ?? throw new ArgumentOutOfRangeException(optionName, $"{viewDescription} has no column '{columnName}' ({optionName}).");
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
