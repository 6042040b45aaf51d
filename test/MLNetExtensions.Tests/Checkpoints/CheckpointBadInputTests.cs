using Google.Protobuf;
using MLNetExtensions.Transforms.Bert;
using MLNetExtensions.Transforms.Bert.Checkpoints;
using Onnx;

namespace MLNetExtensions.Tests.Checkpoints;

/// <summary>Checkpoints that cannot be imported give errors naming the file and the tensor or key.</summary>
public sealed class CheckpointBadInputTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("bad-checkpoint-").FullName;

    [Fact]
    public void ADirectoryWithoutConfigOrWeights_NamesTheMissingFile()
    {
        using var source = TinyCheckpoint.Model(seed: 1);
        string noConfig = TinyCheckpoint.Write(Path.Combine(_directory, "no-config"), source);
        File.Delete(Path.Combine(noConfig, "config.json"));
        string noWeights = TinyCheckpoint.Write(Path.Combine(_directory, "no-weights"), source);
        File.Delete(Path.Combine(noWeights, "model.safetensors"));

        FluentActions.Invoking(() => BertCheckpoint.Load(noConfig)).Should().Throw<FileNotFoundException>().WithMessage($"*'{noConfig}' has no config.json*");
        FluentActions.Invoking(() => BertCheckpoint.Load(noWeights)).Should().Throw<FileNotFoundException>().WithMessage($"*'{noWeights}' has no model.safetensors*");
        FluentActions.Invoking(() => BertCheckpoint.Load(Path.Combine(_directory, "nowhere"))).Should().Throw<FileNotFoundException>().WithMessage("*nowhere*neither a directory*");
    }

    [Fact]
    public void AConfigWhoseShapesDisagreeWithTheTensors_NamesTheTensorAndBothShapes()
    {
        using var source = TinyCheckpoint.Model(seed: 2);
        string path = TinyCheckpoint.Write(Path.Combine(_directory, "wider"), source);
        File.WriteAllText(Path.Combine(path, "config.json"), (source.Config with { IntermediateSize = 48 }).ToJson());

        FluentActions.Invoking(() => BertCheckpoint.Load(path)).Should().Throw<InvalidDataException>()
            .WithMessage("*model.safetensors*encoder.layer.0.intermediate.dense.weight*[64, 32]*[48, 32]*");
    }

    [Fact]
    public void AConfigWithFewerLayersThanTheTensors_NamesTheUnplacedTensors()
    {
        using var source = TinyCheckpoint.Model(seed: 3);
        string path = TinyCheckpoint.Write(Path.Combine(_directory, "shallower"), source);
        File.WriteAllText(Path.Combine(path, "config.json"), (source.Config with { NumHiddenLayers = 1 }).ToJson());

        FluentActions.Invoking(() => BertCheckpoint.Load(path)).Should().Throw<InvalidDataException>()
            .WithMessage("*model.safetensors*1 layers*encoder.layer.1.attention*");
    }

    [Theory]
    [InlineData("\"model_type\": \"roberta\"", "model_type")]
    [InlineData("\"hidden_act\": \"relu\"", "hidden_act")]
    [InlineData("\"hidden_size\": 30", "hidden_size")]
    public void AConfigThatIsNotThisBert_NamesTheKey(string entry, string key)
    {
        using var source = TinyCheckpoint.Model(seed: 4);
        string path = TinyCheckpoint.Write(Path.Combine(_directory, key), source);
        string config = source.Config.ToJson();
        File.WriteAllText(Path.Combine(path, "config.json"), config.Insert(config.IndexOf('{') + 1, entry + ","));

        FluentActions.Invoking(() => BertCheckpoint.Load(path)).Should().Throw<InvalidDataException>().WithMessage($"*config.json*{key}*");
    }

    [Fact]
    public void ATruncatedWeightsFile_NamesTheFile()
    {
        using var source = TinyCheckpoint.Model(seed: 5);
        string path = TinyCheckpoint.Write(Path.Combine(_directory, "truncated"), source);
        string weights = Path.Combine(path, "model.safetensors");
        var bytes = File.ReadAllBytes(weights);
        File.WriteAllBytes(weights, bytes[..(bytes.Length / 2)]);

        FluentActions.Invoking(() => BertCheckpoint.Load(path)).Should().Throw<InvalidDataException>().WithMessage($"*'{weights}'*safetensors*");
    }

    [Fact]
    public void AVocabularyWhoseSizeDisagreesWithTheEmbeddings_NamesBoth()
    {
        using var source = TinyCheckpoint.Model(seed: 6);
        string path = TinyCheckpoint.Write(Path.Combine(_directory, "vocabulary"), source);
        File.AppendAllLines(Path.Combine(path, "vocab.txt"), new[] { "extra", "tokens" });

        FluentActions.Invoking(() => BertCheckpoint.Load(path)).Should().Throw<InvalidDataException>()
            .WithMessage($"*vocab.txt*has {source.Config.VocabSize + 2} tokens*{source.Config.VocabSize} rows in 'embeddings.word_embeddings.weight'*");
    }

    [Fact]
    public void ABadVocabulary_NamesItsFile_ForHuggingFaceDirectoriesAndOnnxFiles()
    {
        using var source = TinyCheckpoint.Model(seed: 6);
        string directory = TinyCheckpoint.Write(Path.Combine(_directory, "no-mask"), source);
        string vocabulary = Path.Combine(directory, "vocab.txt");
        File.WriteAllLines(vocabulary, File.ReadAllLines(vocabulary).Where(token => token != "[MASK]"));
        FluentActions.Invoking(() => BertCheckpoint.Load(directory)).Should().Throw<InvalidDataException>().WithMessage($"*'{vocabulary}' lacks the special token*MASK*");

        // Not UTF-8: refused rather than read with replacement characters.
        File.WriteAllBytes(vocabulary, new byte[] { 0x5B, 0x50, 0x41, 0x44, 0x5D, 0x0A, 0xFF, 0xFE, 0x0A });
        FluentActions.Invoking(() => BertCheckpoint.Load(directory)).Should().Throw<InvalidDataException>().WithMessage($"*'{vocabulary}'*not UTF-8*");

        string onnx = MiniLmResources.WriteOnnxDirectory(Path.Combine(_directory, "onnx-bad-vocabulary"));
        string onnxVocabulary = Path.Combine(Path.GetDirectoryName(onnx)!, "vocab.txt");
        File.WriteAllBytes(onnxVocabulary, new byte[] { 0x5B, 0x50, 0x41, 0x44, 0x5D, 0x0A, 0xFF, 0xFE, 0x0A });
        FluentActions.Invoking(() => BertCheckpoint.Load(onnx)).Should().Throw<InvalidDataException>().WithMessage($"*'{onnxVocabulary}'*not UTF-8*");
    }

    [Fact]
    public void AnOnnxFileThatIsNotBert_NamesTheFileAndTheMissingTensor()
    {
        var model = new ModelProto { IrVersion = 7, Graph = new GraphProto { Name = "linear" } };
        var weight = new TensorProto { Name = "W", DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(new byte[16]) };
        weight.Dims.Add(2);
        weight.Dims.Add(2);
        model.Graph.Initializer.Add(weight);
        var node = new NodeProto { OpType = "MatMul", Name = "project" };
        node.Input.Add("x");
        node.Input.Add("W");
        node.Output.Add("y");
        model.Graph.Node.Add(node);
        string path = Path.Combine(_directory, "linear.onnx");
        File.WriteAllBytes(path, model.ToByteArray());
        File.WriteAllLines(Path.Combine(_directory, "vocab.txt"), FineTuning.FineTuningTestData.Vocabulary);

        FluentActions.Invoking(() => BertCheckpoint.Load(path)).Should().Throw<InvalidDataException>()
            .WithMessage($"*ONNX file '{path}' is not a BERT-shaped ONNX model*'embeddings.word_embeddings.weight'*");
    }

    [Fact]
    public void ATruncatedOnnxFile_NamesTheFile()
    {
        string directory = Path.Combine(_directory, "truncated-onnx");
        string path = MiniLmResources.WriteOnnxDirectory(directory);
        File.WriteAllBytes(path, MiniLmResources.Onnx[..1_000_000]);

        FluentActions.Invoking(() => BertCheckpoint.Load(path)).Should().Throw<InvalidDataException>().WithMessage($"*ONNX file '{path}'*");
    }

    [Fact]
    public void AnOnnxFileWithoutVocabulary_NamesTheExpectedVocabularyFile()
    {
        string path = Path.Combine(_directory, "alone.onnx");
        File.WriteAllBytes(path, new byte[] { 1, 2, 3 });

        FluentActions.Invoking(() => BertCheckpoint.Load(path)).Should().Throw<FileNotFoundException>().WithMessage("*alone.onnx*vocab.txt*");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
