using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using MLNetExtensions.Transforms;
using MLNetExtensions.Transforms.Bert;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace MLNetExtensions.Tests.Bert;

public sealed class ModelTensorIOTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("bert-io-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private string PathOf(string name) => Path.Combine(directory, name);

    [Fact]
    public void Safetensors_RoundTrip_GivesBitIdenticalOutputsInANewModel()
    {
        using var scope = NewDisposeScope();
        using var generatorA = new Generator(1);
        using var generatorB = new Generator(2);
        using var trained = new BertForMaskedLM(BertTestData.Config(), generatorA, addPoolingLayer: true);
        using var fresh = new BertForMaskedLM(BertTestData.Config(), generatorB, addPoolingLayer: true);
        trained.eval();
        fresh.eval();
        var path = PathOf("model.safetensors");

        ModelTensorIO.ExportSafetensors(trained, path);
        var before = fresh.forward(BertTestData.InputIds(), BertTestData.AttentionMask(), BertTestData.TokenTypeIds());
        ModelTensorIO.ImportSafetensors(fresh, path);

        var expected = trained.forward(BertTestData.InputIds(), BertTestData.AttentionMask(), BertTestData.TokenTypeIds());
        var actual = fresh.forward(BertTestData.InputIds(), BertTestData.AttentionMask(), BertTestData.TokenTypeIds());
        BertTestData.BitEqual(before, expected).Should().BeFalse("the fresh model starts different");
        BertTestData.BitEqual(actual, expected).Should().BeTrue();
        BertTestData.SameTensors(fresh, trained).Should().BeTrue();
        ReferenceEquals(fresh.Cls.Predictions.Decoder.Weight, fresh.Bert.Embeddings.WordEmbeddings.Weight).Should().BeTrue("import copies values; ties stay");
    }

    [Fact]
    public void Safetensors_File_HasTheHuggingFaceHeader()
    {
        using var scope = NewDisposeScope();
        using var model = new BertForMaskedLM(BertTestData.Config());
        var path = PathOf("header.safetensors");

        ModelTensorIO.ExportSafetensors(model, path);

        var bytes = File.ReadAllBytes(path);
        var headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        (headerLength % 8).Should().Be(0);
        using var header = JsonDocument.Parse(Encoding.UTF8.GetString(bytes, 8, headerLength));
        var entries = header.RootElement.EnumerateObject().ToList();
        entries[0].Name.Should().Be("__metadata__");
        entries[0].Value.GetProperty("format").GetString().Should().Be("pt");
        entries.Skip(1).Select(e => e.Name).Should().Equal(ModelTensorIO.GetNamedTensors(model).Select(t => t.Name));
        var decoder = header.RootElement.GetProperty("cls.predictions.decoder.weight");
        decoder.GetProperty("dtype").GetString().Should().Be("F32");
        decoder.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).Should().Equal(50, 16);
        var last = entries[^1].Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToList();
        (8L + headerLength + last[1]).Should().Be(bytes.LongLength, "the data ends the file");
    }

    [Fact]
    public void Safetensors_ExportedFile_LoadsWithPyBridgesOwnLoader()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(3);
        using var source = new BertForSequenceClassification(BertTestData.Config(), 3, generator);
        using var target = new BertForSequenceClassification(BertTestData.Config(), 3);
        var path = PathOf("classifier.safetensors");

        ModelTensorIO.ExportSafetensors(source, path);
        target.load_safetensors(path, strict: true);

        BertTestData.SameTensors(target, source).Should().BeTrue();
    }

    [Fact]
    public void Safetensors_FileWithoutTiedCopies_AsHuggingFaceWritesIt_Imports()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(4);
        using var source = new BertForMaskedLM(BertTestData.Config(), generator);
        using var target = new BertForMaskedLM(BertTestData.Config());
        var withoutTiedCopies = ModelTensorIO.GetNamedTensors(source)
            .Where(t => t.Name is not "cls.predictions.decoder.weight" and not "cls.predictions.decoder.bias")
            .ToDictionary(t => t.Name, t => t.Tensor);
        var path = PathOf("hf-style.safetensors");
        using (var stream = File.Create(path))
        {
            Safetensors.SaveStateDict(stream, withoutTiedCopies, leaveOpen: true);
        }

        ModelTensorIO.ImportSafetensors(target, path);

        BertTestData.SameTensors(target, source).Should().BeTrue();
    }

    [Fact]
    public void Import_DeeperFile_ReportsUnexpectedTensors_AndChangesNothing()
    {
        using var scope = NewDisposeScope();
        using var deeper = new BertForMaskedLM(BertTestData.Config(layers: 3));
        using var target = new BertForMaskedLM(BertTestData.Config(layers: 2));
        var before = ModelTensorIO.GetNamedTensors(target).Select(t => t.Tensor.clone()).ToList();
        var path = PathOf("deeper.safetensors");
        ModelTensorIO.ExportSafetensors(deeper, path);

        var act = () => ModelTensorIO.ImportSafetensors(target, path);

        act.Should().Throw<InvalidDataException>()
            .WithMessage("*Unexpected tensors (16)*bert.encoder.layer.2.attention.self.query.weight*")
            .Which.Message.Should().NotContain("Missing");
        ModelTensorIO.GetNamedTensors(target).Select(t => t.Tensor).Zip(before).Should().OnlyContain(p => BertTestData.BitEqual(p.First, p.Second));
    }

    [Fact]
    public void Import_ShallowerFile_ReportsMissingTensors()
    {
        using var scope = NewDisposeScope();
        using var shallower = new BertModel(BertTestData.Config(layers: 1));
        using var target = new BertModel(BertTestData.Config(layers: 2));
        var path = PathOf("shallower.safetensors");
        ModelTensorIO.ExportSafetensors(shallower, path);

        var act = () => ModelTensorIO.ImportSafetensors(target, path);

        act.Should().Throw<InvalidDataException>().WithMessage("*Missing tensors (16)*encoder.layer.1.output.LayerNorm.bias*");
    }

    [Fact]
    public void Import_OtherShapes_ReportsTheTensorAndBothShapes()
    {
        using var scope = NewDisposeScope();
        using var wider = new BertForMaskedLM(BertTestData.Config() with { VocabSize = 60 });
        using var target = new BertForMaskedLM(BertTestData.Config());
        var path = PathOf("wider.safetensors");
        ModelTensorIO.ExportSafetensors(wider, path);

        var act = () => ModelTensorIO.ImportSafetensors(target, path);

        act.Should().Throw<InvalidDataException>()
            .WithMessage("*Shape mismatches*bert.embeddings.word_embeddings.weight: * has [60, 16], the module has [50, 16]*cls.predictions.bias: * has [60], the module has [50]*");
    }

    [Fact]
    public void Import_TiedNamesWithDifferentValues_IsRejected()
    {
        using var scope = NewDisposeScope();
        using var model = new BertForMaskedLM(BertTestData.Config());
        var tensors = ModelTensorIO.GetNamedTensors(model).ToDictionary(t => t.Name, t => t.Tensor);
        tensors["cls.predictions.decoder.weight"] = tensors["cls.predictions.decoder.weight"].clone().add_(1.0f);
        using var stream = new MemoryStream();
        Safetensors.SaveStateDict(stream, tensors, leaveOpen: true);
        stream.Position = 0;

        var act = () => ModelTensorIO.ImportSafetensors(model, stream);

        act.Should().Throw<InvalidDataException>().WithMessage("*Tied names with different values*bert.embeddings.word_embeddings.weight and cls.predictions.decoder.weight*");
    }

    [Fact]
    public void Import_NotASafetensorsFile_ThrowsInvalidData()
    {
        using var scope = NewDisposeScope();
        using var model = new BertModel(BertTestData.Config());
        var path = PathOf("garbage.safetensors");
        File.WriteAllBytes(path, new byte[] { 16, 0, 0, 0, 0, 0, 0, 0, (byte)'{', (byte)'x' });

        var act = () => ModelTensorIO.ImportSafetensors(model, path);

        act.Should().Throw<InvalidDataException>();
    }

    [Fact]
    public void Import_TruncatedFile_ThrowsInvalidData_NamingTheFile()
    {
        using var scope = NewDisposeScope();
        using var model = new BertModel(BertTestData.Config());
        var path = PathOf("cut.safetensors");
        ModelTensorIO.ExportSafetensors(model, path);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^100]);

        var act = () => ModelTensorIO.ImportSafetensors(model, path);

        act.Should().Throw<InvalidDataException>().WithMessage($"*'{path}'*truncated*");
    }

    [Fact]
    public void Export_ThatFails_LeavesThePreviousFile_AndNoPartialOne()
    {
        using var scope = NewDisposeScope();
        using var model = new BertModel(BertTestData.Config());
        using var complex = new ComplexModule();
        var path = PathOf("kept.safetensors");
        ModelTensorIO.ExportSafetensors(model, path);
        var before = File.ReadAllBytes(path);

        var act = () => ModelTensorIO.ExportSafetensors(complex, path);

        act.Should().Throw<NotSupportedException>().WithMessage("*'w'*ComplexFloat32*");
        File.ReadAllBytes(path).Should().Equal(before);
        Directory.GetFiles(Path.GetDirectoryName(path)!, Path.GetFileName(path) + ".*.tmp").Should().BeEmpty("the failed export leaves no temp file");
    }

    /// <summary>A module with a tensor safetensors cannot store.</summary>
    private sealed class ComplexModule : nn.Module
    {
        public ComplexModule()
            : base(nameof(ComplexModule)) =>
            register_parameter("w", new TorchSharp.Modules.Parameter(zeros(2, dtype: ScalarType.ComplexFloat32)));
    }

    [Fact]
    public void CopyTensors_BetweenDifferentLayouts_Throws()
    {
        using var scope = NewDisposeScope();
        using var a = new BertForMaskedLM(BertTestData.Config());
        using var b = new BertForMaskedLM(BertTestData.Config(), addPoolingLayer: true);

        var act = () => ModelTensorIO.CopyTensors(a, b);

        act.Should().Throw<InvalidDataException>().WithMessage("*Missing tensors (2)*bert.pooler.dense.weight*");
    }

    [Fact]
    public void ExportSafetensors_Float64Model_RoundTripsItsElementType()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(5);
        using var source = new BertModel(BertTestData.Config(), generator);
        using var target = new BertModel(BertTestData.Config());
        source.to(ScalarType.Float64);
        target.to(ScalarType.Float64);
        using var stream = new MemoryStream();

        ModelTensorIO.ExportSafetensors(source, stream);
        stream.Position = 0;
        ModelTensorIO.ImportSafetensors(target, stream);

        BertTestData.SameTensors(target, source).Should().BeTrue();
    }
}
