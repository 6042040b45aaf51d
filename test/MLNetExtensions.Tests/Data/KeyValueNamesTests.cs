using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExtensions.Transforms.DataView;

namespace MLNetExtensions.Tests.Data;

/// <summary>A label's key values kept as text with their type: read from MapValueToKey's column, and given back in their own type.</summary>
public sealed class KeyValueNamesTests
{
    private readonly MLContext _mlContext = new(seed: 1);

    [Fact]
    public void KeyValuesOfEveryKeptType_RoundTripThroughTheSettingsText()
    {
        RoundTrip(new[] { 1.5f, -2f, 0.1f, float.MaxValue }, "Single");
        RoundTrip(new[] { 0.1, -1e-300, 3.0 }, "Double");
        RoundTrip(new[] { 5, -3, int.MinValue }, "Int32");
        RoundTrip(new[] { 7L, long.MaxValue }, "Int64");
        RoundTrip(new uint[] { 4, 9 }, "UInt32");
        RoundTrip(new byte[] { 200, 3 }, "Byte");
        RoundTrip(new[] { true, false }, "Boolean");
    }

    [Fact]
    public void TextKeyValues_RoundTrip()
    {
        var data = _mlContext.Data.LoadFromEnumerable(new[] { "b", "a", "c", "a" }.Select(label => new Row<string> { Label = label }));
        var keyed = _mlContext.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data);
        var read = KeyValueNames.Read(keyed.Schema["Label"])!;
        read.Should().BeEquivalentTo(new { Values = new[] { "b", "a", "c" }, ItemType = "Text" });
        VBuffer<ReadOnlyMemory<char>> restored = default;
        KeyValueNames.FromSettings(read.Values, read.ItemType)!.Annotations().KeyValues.GetValue("KeyValues", ref restored);
        restored.DenseValues().Select(value => value.ToString()).Should().Equal("b", "a", "c");
    }

    [Fact]
    public void SettingsWithoutAType_AreText_AndBadSettingsAreRejectedWithTheirValues()
    {
        KeyValueNames.FromSettings(new[] { "x", "y" }, null)!.ItemType.Should().Be("Text", "model files written before other types were kept hold text");
        KeyValueNames.FromSettings(null, "Single").Should().BeNull();

        var unknownType = () => KeyValueNames.FromSettings(new[] { "1", "2" }, "Decimal");
        unknownType.Should().Throw<InvalidDataException>().WithMessage("*'Decimal'*Single*");
        var notNumbers = () => KeyValueNames.FromSettings(new[] { "1", "two" }, "Int32");
        notNumbers.Should().Throw<InvalidDataException>().WithMessage("*1, two*Int32*");
        var thousands = () => KeyValueNames.FromSettings(new[] { "1,5", "2" }, "Single");
        thousands.Should().Throw<InvalidDataException>("'1,5' would parse as 15, which the library writes as '15'");
        var padded = () => KeyValueNames.FromSettings(new[] { "1.50" }, "Single");
        padded.Should().Throw<InvalidDataException>();
    }

    [Fact]
    public void KeyValuesThatAreThemselvesKeys_AreNotTakenForNumbers()
    {
        var annotations = new DataViewSchema.Annotations.Builder();
        ValueGetter<VBuffer<uint>> getter = (ref VBuffer<uint> destination) => new VBuffer<uint>(2, new uint[] { 4, 5 }).CopyTo(ref destination);
        annotations.Add("KeyValues", new VectorDataViewType(new KeyDataViewType(typeof(uint), 9), 2), getter);
        var schema = new DataViewSchema.Builder();
        schema.AddColumn("Label", new KeyDataViewType(typeof(uint), 2), annotations.ToAnnotations());

        KeyValueNames.Read(schema.ToSchema()["Label"]).Should().BeNull("key numbers of another key type are not the original values");
    }

    private void RoundTrip<T>(T[] labels, string expectedType)
    {
        var data = _mlContext.Data.LoadFromEnumerable(labels.Select(label => new Row<T> { Label = label }));
        var keyed = _mlContext.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data);
        VBuffer<T> original = default;
        keyed.Schema["Label"].GetKeyValues(ref original);

        var read = KeyValueNames.Read(keyed.Schema["Label"])!;
        read.ItemType.Should().Be(expectedType);
        read.Values.Should().HaveCount(labels.Length);
        var (keyValues, slotNames) = KeyValueNames.FromSettings(read.Values, read.ItemType)!.Annotations();
        VBuffer<T> restored = default;
        keyValues.GetValue("KeyValues", ref restored);
        restored.DenseValues().Should().Equal(original.DenseValues(), $"{expectedType} key values come back exactly");
        keyValues.Schema["KeyValues"].Type.Should().Be(keyed.Schema["Label"].Annotations.Schema["KeyValues"].Type);
        VBuffer<ReadOnlyMemory<char>> names = default;
        slotNames.GetValue("SlotNames", ref names);
        names.DenseValues().Select(name => name.ToString()).Should().Equal(read.Values);
    }

    public sealed class Row<T>
    {
        public T Label { get; set; } = default!;
    }
}
