using System.Globalization;
using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetExtensions.Transforms.DataView;

/// <summary>
/// A key column's key values, one per key in order: the original values <c>MapValueToKey</c> numbered, text, numbers or
/// Boolean. They are held as invariant text with the name of their ML.NET type. A classifier keeps its label's as class
/// names, stores them as JSON strings in its settings file and gives its outputs the label's own key values (same type,
/// same values) for <c>MapKeyToValue</c>; an ID column of keys reads each key as the text of its value.
/// </summary>
/// <param name="Values">The values as invariant text (the shortest round-trip form for Single and Double).</param>
/// <param name="ItemType">The key values' type: <c>Text</c>, <c>Boolean</c> or a number type's name (<c>Single</c>, <c>Int32</c>, …).</param>
internal sealed record KeyValueNames(IReadOnlyList<string> Values, string ItemType)
{
    private const string AnnotationKeyValues = "KeyValues";
    private const string AnnotationSlotNames = "SlotNames";
    private const string TextType = "Text";

    /// <summary>The key value types kept, by name: text, Boolean and every number type (what MapValueToKey takes).</summary>
    private static readonly IReadOnlyDictionary<string, PrimitiveDataViewType> Types = new PrimitiveDataViewType[]
    {
        TextDataViewType.Instance, BooleanDataViewType.Instance,
        NumberDataViewType.Single, NumberDataViewType.Double,
        NumberDataViewType.SByte, NumberDataViewType.Byte, NumberDataViewType.Int16, NumberDataViewType.UInt16,
        NumberDataViewType.Int32, NumberDataViewType.UInt32, NumberDataViewType.Int64, NumberDataViewType.UInt64,
    }.ToDictionary(TypeName);

    /// <summary>The key values of a key column, or null when it has none of a kept type.</summary>
    public static KeyValueNames? Read(DataViewSchema.Column column)
    {
        var annotation = column.Annotations.Schema.GetColumnOrNull(AnnotationKeyValues);
        if (column.Type is not KeyDataViewType || annotation?.Type is not VectorDataViewType { ItemType: PrimitiveDataViewType itemType } || !IsKept(itemType))
        {
            return null;
        }

        var values = (string[])Generic(nameof(ReadValues), itemType).Invoke(null, new object[] { column })!;
        return new KeyValueNames(values, TypeName(itemType));
    }

    /// <summary>The type of the key values of a column shape (estimator schema propagation), or null when it has none of a kept type.</summary>
    public static string? ItemTypeOf(SchemaShape.Column column) =>
        column.Annotations.FirstOrDefault(a => a.Name == AnnotationKeyValues) is { Name: not null, IsKey: false } annotation && IsKept(annotation.ItemType)
            ? TypeName(annotation.ItemType)
            : null;

    /// <summary>Key values as a settings file stores them (null values: none); a missing type is text, as in model files written before numbers were kept.</summary>
    /// <exception cref="InvalidDataException">The type is not one kept, or a value does not parse as it.</exception>
    public static KeyValueNames? FromSettings(IReadOnlyList<string>? values, string? itemType)
    {
        if (values is null)
        {
            return null;
        }

        var keyValues = new KeyValueNames(values, itemType ?? TextType);
        if (!Types.ContainsKey(keyValues.ItemType))
        {
            throw new InvalidDataException($"The settings give the class names the type '{itemType}'; expected one of {string.Join(", ", Types.Keys)}.");
        }

        keyValues.Annotations();
        return keyValues;
    }

    /// <summary>Stand-in key values of <paramref name="itemType"/> for an estimator's output shape, which knows the type but not the values.</summary>
    public static KeyValueNames ForShape(string itemType, int classes) =>
        new(Enumerable.Repeat(itemType == TextType ? string.Empty : itemType == "Boolean" ? bool.FalseString : "0", classes).ToArray(), itemType);

    /// <summary>
    /// The outputs' annotations: the key values in their own type for the predicted label, and the same values as text
    /// slot names for the score vector.
    /// </summary>
    /// <exception cref="InvalidDataException">A value does not parse as <see cref="ItemType"/>.</exception>
    public (DataViewSchema.Annotations KeyValues, DataViewSchema.Annotations SlotNames) Annotations()
    {
        var type = Types[ItemType];
        try
        {
            var keyValues = (DataViewSchema.Annotations)Generic(nameof(TypedAnnotation), type).Invoke(this, new object[] { AnnotationKeyValues, type })!;
            return (keyValues, TypedAnnotation<ReadOnlyMemory<char>>(AnnotationSlotNames, TextDataViewType.Instance));
        }
        catch (TargetInvocationException e) when (e.InnerException is FormatException or OverflowException)
        {
            throw new InvalidDataException($"The key values ({string.Join(", ", Values)}) are not all values of type {ItemType} in the invariant form this library writes.", e.InnerException);
        }
    }

    /// <summary>Whether values of <paramref name="type"/> are kept (a key type, whose raw type is an integer, is not: its values are key numbers).</summary>
    private static bool IsKept(DataViewType type) => Types.TryGetValue(TypeName(type), out var kept) && kept.Equals(type);

    /// <summary>ML.NET's name of a type: <c>Text</c>, <c>Boolean</c>, <c>Single</c>, <c>Int32</c>…</summary>
    private static string TypeName(DataViewType type) => type is TextDataViewType ? TextType : type.RawType.Name;

    /// <summary>This type's generic method <paramref name="name"/> for the values of <paramref name="itemType"/> (VBuffers are typed, the settings are text).</summary>
    private static MethodInfo Generic(string name, PrimitiveDataViewType itemType) =>
        typeof(KeyValueNames).GetMethod(name, BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance)!.MakeGenericMethod(itemType.RawType);

    private static string[] ReadValues<T>(DataViewSchema.Column column)
    {
        VBuffer<T> values = default;
        column.GetKeyValues(ref values);

        // .NET writes Single and Double in their shortest round-trip form.
        return values.DenseValues().Select(value => value is ReadOnlyMemory<char> text ? text.ToString() : Convert.ToString(value, CultureInfo.InvariantCulture)!).ToArray();
    }

    private DataViewSchema.Annotations TypedAnnotation<T>(string kind, PrimitiveDataViewType itemType)
    {
        var values = Values.Select(value => typeof(T) == typeof(ReadOnlyMemory<char>) ? (T)(object)value.AsMemory() : Parse<T>(value)).ToArray();
        ValueGetter<VBuffer<T>> getter = (ref VBuffer<T> destination) => new VBuffer<T>(values.Length, values).CopyTo(ref destination);
        var builder = new DataViewSchema.Annotations.Builder();
        builder.Add(kind, new VectorDataViewType(itemType, values.Length), getter);
        return builder.ToAnnotations();
    }

    /// <summary>
    /// A number or Boolean from its invariant text, which must be the form <see cref="ReadValues"/> writes: anything else
    /// (thousands separators, spaces, "1.50") is a <see cref="FormatException"/> rather than a silently different value.
    /// </summary>
    private static T Parse<T>(string value)
    {
        var parsed = (T)Convert.ChangeType(value, typeof(T), CultureInfo.InvariantCulture);
        return Convert.ToString(parsed, CultureInfo.InvariantCulture) == value
            ? parsed
            : throw new FormatException($"'{value}' is not in the invariant form of a {typeof(T).Name}.");
    }
}
