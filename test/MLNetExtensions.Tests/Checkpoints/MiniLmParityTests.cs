using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExtensions.Estimators.Data;
using MLNetExtensions.Transforms.Bert.Checkpoints;
using static TorchSharp.torch;

namespace MLNetExtensions.Tests.Checkpoints;

/// <summary>The imported all-MiniLM-L6-v2 against ONNX Runtime 1.31.1 running the same ONNX file.</summary>
public sealed class MiniLmParityTests : IClassFixture<MiniLmParityTests.Fixture>
{
    private const int BatchSize = 8;
    private readonly Fixture _fixture;

    public MiniLmParityTests(Fixture fixture) => _fixture = fixture;

    /// <summary>40 UCI sentences spread over the file (lengths 3 to 40+ word pieces), in padded batches of 8.</summary>
    internal static IReadOnlyList<string> Sentences()
    {
        var all = SentimentSentences.ReadAll();
        return Enumerable.Range(0, 40).Select(i => all[(i * 75) + 3].Text).ToList();
    }

    [Fact]
    public void TheImportedGraph_HasMiniLmsConfiguration_AndReportsWhatItDidNotUse()
    {
        var checkpoint = _fixture.Checkpoint;
        var config = checkpoint.Config;
        (config.VocabSize, config.HiddenSize, config.NumHiddenLayers, config.NumAttentionHeads, config.IntermediateSize)
            .Should().Be((30522, 384, 6, 12, 1536));
        (config.MaxPositionEmbeddings, config.TypeVocabSize, config.LayerNormEps).Should().Be((512, 2, 1e-12));
        checkpoint.Model.Pooler.Should().NotBeNull("the export keeps the pooler (output '924')");
        checkpoint.UnusedTensors.Should().Equal("embeddings.position_ids");
        checkpoint.MissingTensors.Should().BeEmpty();
        checkpoint.Tokenizer.VocabularySize.Should().Be(30522);
    }

    [Fact]
    public void ExportingTheImportedGraph_AndImportingTheDirectory_IsIdentical()
    {
        string directory = Directory.CreateTempSubdirectory("minilm-hf-").FullName;
        try
        {
            _fixture.Checkpoint.SaveHuggingFace(directory);
            using var reimported = BertCheckpoint.Load(directory);

            reimported.Config.Should().Be(_fixture.Checkpoint.Config);
            MLNetExtensions.Tests.Bert.BertTestData.SameTensors(reimported.Model, _fixture.Checkpoint.Model).Should().BeTrue();
            reimported.Tokenizer.VocabularyText.Should().Be(_fixture.Checkpoint.Tokenizer.VocabularyText);
            (reimported.Tokenizer.LowerCase, reimported.Tokenizer.StripAccents).Should().Be((true, true));
            reimported.UnusedTensors.Should().BeEmpty();
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void LastHiddenState_MatchesOnnxRuntime_InPaddedBatches()
    {
        var sentences = Sentences();
        var tokenizer = _fixture.Checkpoint.Tokenizer;
        double maxDifference = 0;
        double minCosine = 1;
        var lengths = new List<int>();
        for (int start = 0; start < sentences.Count; start += BatchSize)
        {
            var batch = sentences.Skip(start).Take(BatchSize).ToList();
            var (ids, mask, length) = Encode(tokenizer, batch);
            lengths.AddRange(Enumerable.Range(0, batch.Count).Select(r => (int)mask.Skip(r * length).Take(length).Sum()));
            var reference = _fixture.Reference.LastHiddenState(ids, mask, batch.Count, length);
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var idTensor = tensor(ids, batch.Count, length);
            var maskTensor = tensor(mask, batch.Count, length);
            var hidden = _fixture.Checkpoint.Model.Forward(idTensor, maskTensor).LastHiddenState;
            var expected = tensor(reference, batch.Count, length, 384L);
            var real = maskTensor.unsqueeze(-1).to(float32);
            maxDifference = Math.Max(maxDifference, ((hidden - expected).abs() * real).max().item<float>());
            var ours = nn.functional.normalize((hidden * real).sum(1) / real.sum(1), dim: 1);
            var theirs = nn.functional.normalize((expected * real).sum(1) / real.sum(1), dim: 1);
            minCosine = Math.Min(minCosine, (ours * theirs).sum(1).min().item<float>());
        }

        lengths.Min().Should().BeLessThan(8);
        lengths.Max().Should().BeGreaterThan(30, "the sentences mix short and long ones");
        maxDifference.Should().BeLessThanOrEqualTo(1e-4);
        minCosine.Should().BeGreaterThanOrEqualTo(0.9999);
    }

    [Fact]
    public void TheEmbeddingTransformer_MatchesOnnxRuntimesSentenceEmbeddings_AndPredictionEngineMatchesTransformBitForBit()
    {
        var mlContext = new MLContext(seed: 1);
        var sentences = Sentences();
        var data = mlContext.Data.LoadFromEnumerable(sentences.Select(text => new TextInput { Text = text }));
        using var embedder = mlContext.Transforms.Text.ApplyBertCheckpoint(new BertCheckpointEmbeddingOptions { Checkpoint = _fixture.Checkpoint }).Fit(data);
        embedder.InferenceBatchSize = 32;

        var batched = embedder.Transform(data).GetColumn<float[]>("Features").ToList();
        var engine = mlContext.Model.CreatePredictionEngine<TextInput, SentenceEmbedding>(embedder);
        var single = sentences.Select(text => engine.Predict(new TextInput { Text = text }).Features).ToList();

        single.Should().BeEquivalentTo(batched, o => o.WithStrictOrdering(), "a row's embedding does not depend on the rows it is batched with");
        var reference = new List<float[]>();
        for (int start = 0; start < sentences.Count; start += BatchSize)
        {
            var batch = sentences.Skip(start).Take(BatchSize).ToList();
            var (ids, mask, length) = Encode(_fixture.Checkpoint.Tokenizer, batch);
            var states = _fixture.Reference.LastHiddenState(ids, mask, batch.Count, length);
            using var scope = NewDisposeScope();
            var hidden = tensor(states, batch.Count, length, 384L);
            var real = tensor(mask, batch.Count, length).unsqueeze(-1).to(float32);
            var pooled = nn.functional.normalize((hidden * real).sum(1) / real.sum(1), dim: 1);
            reference.AddRange(Enumerable.Range(0, batch.Count).Select(r => pooled[r].data<float>().ToArray()));
        }

        var cosines = batched.Zip(reference, (a, b) => a.Zip(b, (x, y) => (double)x * y).Sum()).ToList();
        cosines.Min().Should().BeGreaterThanOrEqualTo(0.9999);
    }

    /// <summary>Rows padded to the batch's longest, as ONNX Runtime is usually fed.</summary>
    internal static (long[] Ids, long[] Mask, int Length) Encode(MLNetExtensions.Transforms.Text.WordPieceEncoder tokenizer, IReadOnlyList<string> batch)
    {
        const int maximum = 128;
        var rows = batch.Select(text =>
        {
            var ids = new int[maximum];
            var mask = new int[maximum];
            tokenizer.EncodeRow(text, null, maximum, ids, mask, new int[maximum]);
            return (ids, mask);
        }).ToList();
        int length = rows.Max(r => r.mask.Sum());
        var flatIds = rows.SelectMany(r => r.ids.Take(length).Select(v => (long)v)).ToArray();
        var flatMask = rows.SelectMany(r => r.mask.Take(length).Select(v => (long)v)).ToArray();
        return (flatIds, flatMask, length);
    }

    /// <summary>A text row.</summary>
    public sealed class TextInput
    {
        public string Text { get; set; } = string.Empty;
    }

    /// <summary>A MiniLM sentence embedding.</summary>
    public sealed class SentenceEmbedding
    {
        [VectorType(384)]
        public float[] Features { get; set; } = Array.Empty<float>();
    }

    /// <summary>The imported checkpoint and the reference session, built once for the class.</summary>
    public sealed class Fixture : IDisposable
    {
        public Fixture()
        {
            using var stream = new MemoryStream(MiniLmResources.Onnx, writable: false);
            Checkpoint = BertCheckpoint.LoadOnnx(stream, MiniLmResources.VocabularyText);
            Reference = new OnnxRuntimeReference(MiniLmResources.Onnx);
        }

        internal BertCheckpoint Checkpoint { get; }

        internal OnnxRuntimeReference Reference { get; }

        public void Dispose()
        {
            Checkpoint.Dispose();
            Reference.Dispose();
        }
    }
}
