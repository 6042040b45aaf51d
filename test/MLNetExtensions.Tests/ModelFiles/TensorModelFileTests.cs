using System.IO.Compression;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using MLNetExtensions.Estimators.Data;
using MLNetExtensions.Tests.TestSupport;
using MLNetExtensions.Transforms.ModelFiles;
using MLNetExtensions.Transforms.Text;
using TorchSharp;

namespace MLNetExtensions.Tests.ModelFiles;

/// <summary>One model-file format for every transformer of the project, and for pipelines holding them.</summary>
public sealed class TensorModelFileTests : IDisposable
{
    private readonly MLContext _mlContext = new(seed: 3);
    private readonly string _directory = Directory.CreateTempSubdirectory("model-files-").FullName;

    private IDataView Sentences(int count = 10) =>
        _mlContext.Data.LoadFromEnumerable(Enumerable.Range(0, count).Select(i => new TextRow { Text = $"Sentence {i}: déjà vu, unaffable and {i * 7} more" }));

    private ITransformer TokenizerPipeline(IDataView data, int maximumLength = 16) =>
        _mlContext.Transforms.Text.TokenizeIntoWordPieces(ShippedData.BertVocabularyPath, maximumLength: maximumLength)
            .Append(_mlContext.Transforms.Conversion.ConvertType("TokenIdsAsFloat", "TokenIds", DataKind.Single))
            .Fit(data);

    [Fact]
    public void APipelineWithOurComponent_LoadsInAFreshProcess_WithIdenticalOutputs()
    {
        var data = Sentences();
        var model = TokenizerPipeline(data);
        string path = Path.Combine(_directory, "pipeline.zip");
        _mlContext.Model.SaveWithTensors(model, data.Schema, path);

        var expected = model.Transform(data);
        var actual = ChildProcess.TransformInFreshProcess(_mlContext, path, data, _directory);
        actual.GetColumn<int[]>("TokenIds").Should().BeEquivalentTo(expected.GetColumn<int[]>("TokenIds"), o => o.WithStrictOrdering());
        actual.GetColumn<float[]>("TokenIdsAsFloat").Should().BeEquivalentTo(expected.GetColumn<float[]>("TokenIdsAsFloat"), o => o.WithStrictOrdering());
    }

    [Fact]
    public void AUsersCustomMapping_LoadsWithTheAssembliesTheLoadingContextRegistered()
    {
        var data = Sentences();
        var model = _mlContext.Transforms.CustomMapping(new TextLengthFactory().GetMapping(), TextLengthFactory.ContractName)
            .Append(_mlContext.Transforms.Text.TokenizeIntoWordPieces(ShippedData.BertVocabularyPath, maximumLength: 16))
            .Fit(data);
        string path = Path.Combine(_directory, "custom.zip");
        _mlContext.Model.SaveWithTensors(model, data.Schema, path);

        var loading = new MLContext(seed: 3);
        loading.ComponentCatalog.RegisterAssembly(typeof(TextLengthFactory).Assembly);
        var loaded = loading.Model.LoadWithTensors(path, out _);

        loaded.Transform(data).GetColumn<float>(nameof(TextLength.Length)).Should().Equal(model.Transform(data).GetColumn<float>(nameof(TextLength.Length)));
        loaded.Transform(data).GetColumn<int[]>("TokenIds").Should().BeEquivalentTo(model.Transform(data).GetColumn<int[]>("TokenIds"), o => o.WithStrictOrdering());
    }

    public sealed class TextInput
    {
        public string Text { get; set; } = string.Empty;
    }

    public sealed class TextLength
    {
        public float Length { get; set; }
    }

    /// <summary>A user's own mapping, which ML.NET can load only through a context that registered its assembly.</summary>
    [CustomMappingFactoryAttribute(ContractName)]
    public sealed class TextLengthFactory : CustomMappingFactory<TextInput, TextLength>
    {
        public const string ContractName = "MLNetExtensionsTests.TextLength";

        public override Action<TextInput, TextLength> GetMapping() => (input, output) => output.Length = input.Text?.Length ?? 0;
    }

    [Fact]
    public void PlainModelLoad_NamesTheCallToUse()
    {
        var data = Sentences();
        string path = Path.Combine(_directory, "plain.zip");
        _mlContext.Model.SaveWithTensors(TokenizerPipeline(data), data.Schema, path);
        var act = () => new MLContext().Model.Load(path, out _);
        act.Should().Throw<Exception>().Where(e => e.ToString().Contains("LoadWithTensors"));
    }

    [Fact]
    public void PlainModelSave_NamesTheCallToUse_AndSaysTheFileWasReplaced()
    {
        var data = Sentences();
        var act = () => _mlContext.Model.Save(TokenizerPipeline(data), data.Schema, Path.Combine(_directory, "x.zip"));
        act.Should().Throw<Exception>().Where(e => e.ToString().Contains("SaveWithTensors") && e.ToString().Contains("has been replaced"));
    }

    [Fact]
    public void ATruncatedFile_GivesAClearError()
    {
        var data = Sentences();
        string path = Path.Combine(_directory, "truncated.zip");
        _mlContext.Model.SaveWithTensors(TokenizerPipeline(data), data.Schema, path);
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes.Take(bytes.Length / 2).ToArray());
        var act = () => _mlContext.Model.LoadWithTensors(path, out _);
        act.Should().Throw<InvalidDataException>().WithMessage($"*{path}*truncated or corrupted*");
    }

    [Fact]
    public void AnUnknownFormatVersion_GivesAClearError()
    {
        var data = Sentences();
        string path = Path.Combine(_directory, "future.zip");
        _mlContext.Model.SaveWithTensors(TokenizerPipeline(data), data.Schema, path);
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Update))
        {
            var entry = zip.GetEntry("MLNetExtensions/manifest.json")!;
            string manifest;
            using (var reader = new StreamReader(entry.Open()))
            {
                manifest = reader.ReadToEnd();
            }

            entry.Delete();
            using var writer = new StreamWriter(zip.CreateEntry("MLNetExtensions/manifest.json").Open());
            writer.Write(manifest.Replace("\"FormatVersion\": 2", "\"FormatVersion\": 99"));
        }

        var act = () => _mlContext.Model.LoadWithTensors(path, out _);
        act.Should().Throw<InvalidDataException>().WithMessage("*format version 99*reads versions 1 to 2*");
    }

    [Fact]
    public void TensorsThatDoNotMatchTheArchitecture_AreRejectedNamingTheTensor()
    {
        using var scope = torch.NewDisposeScope();
        var writer = new ModelPayloadWriter();
        writer.WriteModule("weights.safetensors", torch.nn.Linear(3, 4));
        var reader = new ModelPayloadReader(writer.Entries, "Model file 'm.zip', component 0 (Test)");

        var act = () => reader.ReadModule("weights.safetensors", torch.nn.Linear(3, 5));
        act.Should().Throw<InvalidDataException>().WithMessage("*component 0 (Test)*weight*[4, 3]*[5, 3]*");

        var unexpected = () => reader.ReadModule("weights.safetensors", torch.nn.Linear(3, 4, hasBias: false));
        unexpected.Should().Throw<InvalidDataException>().WithMessage("*bias*");

        var source = torch.nn.Linear(3, 4);
        var sourceWriter = new ModelPayloadWriter();
        sourceWriter.WriteModule("w", source);
        var target = torch.nn.Linear(3, 4);
        new ModelPayloadReader(sourceWriter.Entries, "m").ReadModule("w", target);
        target.weight!.eq(source.weight!).all().item<bool>().Should().BeTrue();
    }

    [Fact]
    public void TwoModelsInOneProcess_DoNotInterfere()
    {
        var data = Sentences(3);
        string first = Path.Combine(_directory, "first.zip");
        string second = Path.Combine(_directory, "second.zip");
        _mlContext.Model.SaveWithTensors(TokenizerPipeline(data, 8), data.Schema, first);
        _mlContext.Model.SaveWithTensors(TokenizerPipeline(data, 20), data.Schema, second);

        var a = _mlContext.Model.LoadWithTensors(first, out _);
        var b = _mlContext.Model.LoadWithTensors(second, out _);
        a.Transform(data).GetColumn<int[]>("TokenIds").First().Should().HaveCount(8);
        b.Transform(data).GetColumn<int[]>("TokenIds").First().Should().HaveCount(20);
        a.Transform(data).GetColumn<int[]>("TokenIds").First().Take(7).Should().Equal(b.Transform(data).GetColumn<int[]>("TokenIds").First().Take(7), "both tokenize the same text");
    }

    [Fact]
    public void AFailedSave_LeavesThePreviousFileIntact_AndNoTemporaryFiles()
    {
        var data = Sentences(3);
        string path = Path.Combine(_directory, "kept.zip");
        _mlContext.Model.SaveWithTensors(TokenizerPipeline(data), data.Schema, path);
        byte[] before = File.ReadAllBytes(path);

        var unsaveable = TokenizerPipeline(data).Append(_mlContext.Transforms.CustomMapping<TextRow, TextRow>((i, o) => o.Text = i.Text, contractName: null).Fit(data));
        var act = () => _mlContext.Model.SaveWithTensors(unsaveable, data.Schema, path);
        act.Should().Throw<Exception>();

        File.ReadAllBytes(path).Should().Equal(before);
        Directory.GetFiles(_directory).Should().BeEquivalentTo(new[] { path });
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
