using System.IO.Compression;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExtensions.Estimators.Data;

namespace MLNetExtensions.Tests.Data;

/// <summary>Sequences as data views: the shipped .ts files, and Fashion-MNIST IDX files (tiny ones written here).</summary>
public sealed class SequenceDataTests : IDisposable
{
    private readonly TemporaryDataFiles _files = new();
    private readonly MLContext _mlContext = new(seed: 1);

    [Fact]
    public void JapaneseVowels_BecomesRowsOfUnequalLength_With12ValuesPerStep()
    {
        var dataset = TimeSeriesFileReader.Read(ShippedData.JapaneseVowelsTrainPath);
        var view = dataset.ToDataView(_mlContext);

        view.Schema["Features"].Type.Should().BeOfType<VectorDataViewType>().Which.Size.Should().Be(0, "series have different lengths");
        var features = view.GetColumn<float[]>("Features").ToList();
        features.Should().HaveCount(270);
        features.Select(f => f.Length).Should().AllSatisfy(n => (n % 12).Should().Be(0));
        features.Select(f => f.Length / 12).Should().Equal(dataset.Series.Select(s => s.Length));
        features[0].Take(12).Should().Equal(dataset.Series[0].Values[0], "step 0 comes first, time-major");
        view.GetColumn<string>("Label").Should().Equal(dataset.Series.Select(s => s.Label));
    }

    [Fact]
    public void Padding_GivesAFixedSizeVector_WithZerosAfterEachSeries()
    {
        var dataset = TimeSeriesFileReader.Read(ShippedData.JapaneseVowelsTestPath);
        var view = dataset.ToDataView(_mlContext, padToSteps: 29);
        view.Schema["Features"].Type.Should().BeOfType<VectorDataViewType>().Which.Size.Should().Be(29 * 12);
        var first = view.GetColumn<float[]>("Features").First();
        int length = dataset.Series[0].Length * 12;
        first.Take(length).Should().Equal(dataset.Series[0].Values.SelectMany(v => v));
        first.Skip(length).Should().AllSatisfy(v => v.Should().Be(0f));
    }

    [Fact]
    public void FashionMnist_ReadsImagesAsRowsOf28Steps_AndSeededSubsets()
    {
        WriteFashionMnist("train", 5);
        WriteFashionMnist("t10k", 3);
        FashionMnist.IsAvailable(_files.Directory).Should().BeTrue();
        var all = FashionMnist.Read(_files.Directory, train: true);
        all.Should().HaveCount(5);
        all[2].Label.Should().Be(FashionMnist.ClassNames[2]);
        all[2].Features.Should().HaveCount(28 * 28);
        all[2].Features[(3 * 28) + 4].Should().BeApproximately(((2 + (3 * 28) + 4) % 256) / 255f, 1e-6f, "row 3 is step 3, column 4 is feature 4");

        var subset = FashionMnist.Read(_files.Directory, train: true, count: 3, seed: 9);
        subset.Should().HaveCount(3);
        subset.Select(r => r.Label).Should().Equal(FashionMnist.Read(_files.Directory, train: true, count: 3, seed: 9).Select(r => r.Label));
        subset.Select(r => r.Label).Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public void IdxFiles_WithAWrongMagicOrTruncated_AreRejectedNamingTheFile()
    {
        var wrong = _files.WriteBytes("bad-idx", new byte[] { 0, 0, 0x0D, 1, 0, 0, 0, 1, 7 });
        var act = () => IdxFile.Read(wrong);
        act.Should().Throw<InvalidDataException>().WithMessage("*bad-idx*unsigned-byte IDX magic*");

        var truncated = _files.WriteBytes("short-idx", new byte[] { 0, 0, 0x08, 1, 0, 0, 0, 4, 7 });
        var shortRead = () => IdxFile.Read(truncated);
        shortRead.Should().Throw<InvalidDataException>().WithMessage("*short-idx*ended before 4 values*");
        FashionMnist.IsAvailable(Path.Combine(_files.Directory, "missing")).Should().BeFalse();
    }

    [Fact]
    public void IdxFiles_WhoseSizesOverflow_AreRejectedNamingTheFile()
    {
        // Four sizes of 65536: 2^64 values, which a long multiplies to 0.
        var header = new List<byte> { 0, 0, 0x08, 4 };
        for (int i = 0; i < 4; i++)
        {
            header.AddRange(BigEndian(65536));
        }

        var huge = _files.WriteBytes("huge-idx", header.ToArray());
        var act = () => IdxFile.Read(huge);
        act.Should().Throw<InvalidDataException>().WithMessage("huge-idx: the sizes 65536 × 65536 × 65536 × 65536 hold more values than one array can*");

        var empty = _files.WriteBytes("empty-idx", new byte[] { 0, 0, 0x08, 2, 0, 1, 0, 0, 0, 0, 0, 0 });
        IdxFile.Read(empty).Values.Should().BeEmpty("a later size of 0 still gives no values");
    }

    [Theory]
    [InlineData(null)]
    [InlineData(2)]
    public void FromRows_RefusesRowsThatAreNotWholeSteps_NamingTheRow(int? padToSteps)
    {
        var rows = new List<SequenceRow>
        {
            new() { Label = "a", Features = new[] { 1f, 2f } },
            new() { Label = "b", Features = new[] { 1f, 2f, 3f } },
        };
        var partial = () => SequenceDataView.FromRows(_mlContext, rows, stepSize: 2, padToSteps);
        partial.Should().Throw<ArgumentException>().WithParameterName("rows")
            .WithMessage("Row 1 holds 3 values in Features, which is not a whole number of steps of stepSize = 2 values.*");

        rows[1] = new SequenceRow { Label = "b", Features = null! };
        var noFeatures = () => SequenceDataView.FromRows(_mlContext, rows, stepSize: 2, padToSteps);
        noFeatures.Should().Throw<ArgumentException>().WithParameterName("rows").WithMessage("Row 1 has no Features (null)*stepSize = 2*");

        rows[1] = null!;
        var noRow = () => SequenceDataView.FromRows(_mlContext, rows, stepSize: 2, padToSteps);
        noRow.Should().Throw<ArgumentException>().WithParameterName("rows").WithMessage("Row 1 is null*");
    }

    [Fact]
    public void FromRows_PadsWholeSteps_AndLeavesTheCallersRowsAlone()
    {
        var rows = new[] { new SequenceRow { Label = "a", Features = new[] { 1f, 2f } } };
        var view = SequenceDataView.FromRows(_mlContext, rows, stepSize: 2, padToSteps: 2);

        view.GetColumn<float[]>("Features").Single().Should().Equal(1f, 2f, 0f, 0f);
        rows[0].Features.Should().Equal(1f, 2f);
    }

    public void Dispose() => _files.Dispose();

    /// <summary>Writes gzip IDX files of <paramref name="count"/> images whose pixel p of image i is (i + p) mod 256, labels i mod 10.</summary>
    private void WriteFashionMnist(string prefix, int count)
    {
        var images = new List<byte> { 0, 0, 8, 3 };
        images.AddRange(BigEndian(count));
        images.AddRange(BigEndian(28));
        images.AddRange(BigEndian(28));
        for (int i = 0; i < count; i++)
        {
            images.AddRange(Enumerable.Range(0, 28 * 28).Select(p => (byte)((i + p) % 256)));
        }

        var labels = new List<byte> { 0, 0, 8, 1 };
        labels.AddRange(BigEndian(count));
        labels.AddRange(Enumerable.Range(0, count).Select(i => (byte)(i % 10)));
        Gzip($"{prefix}-images-idx3-ubyte.gz", images.ToArray());
        Gzip($"{prefix}-labels-idx1-ubyte.gz", labels.ToArray());
    }

    private void Gzip(string name, byte[] content)
    {
        using var file = File.Create(Path.Combine(_files.Directory, name));
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        gzip.Write(content);
    }

    private static byte[] BigEndian(int value) => new[] { (byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value };
}
