using System.Text.Json;
using MLNetExtensions.Transforms.Bert;

namespace MLNetExtensions.Tests.Bert;

public sealed class BertConfigTests
{
    public static TheoryData<string, BertConfig, string> InvalidConfigs() => new()
    {
        { "vocab 0", BertTestData.Config() with { VocabSize = 0 }, nameof(BertConfig.VocabSize) },
        { "hidden -16", BertTestData.Config() with { HiddenSize = -16 }, nameof(BertConfig.HiddenSize) },
        { "layers 0", BertTestData.Config() with { NumHiddenLayers = 0 }, nameof(BertConfig.NumHiddenLayers) },
        { "layers -1", BertTestData.Config() with { NumHiddenLayers = -1 }, nameof(BertConfig.NumHiddenLayers) },
        { "heads 0", BertTestData.Config() with { NumAttentionHeads = 0 }, nameof(BertConfig.NumAttentionHeads) },
        { "intermediate 0", BertTestData.Config() with { IntermediateSize = 0 }, nameof(BertConfig.IntermediateSize) },
        { "positions 0", BertTestData.Config() with { MaxPositionEmbeddings = 0 }, nameof(BertConfig.MaxPositionEmbeddings) },
        { "types 0", BertTestData.Config() with { TypeVocabSize = 0 }, nameof(BertConfig.TypeVocabSize) },
        { "hidden dropout 1", BertTestData.Config() with { HiddenDropoutProb = 1.0 }, nameof(BertConfig.HiddenDropoutProb) },
        { "hidden dropout NaN", BertTestData.Config() with { HiddenDropoutProb = double.NaN }, nameof(BertConfig.HiddenDropoutProb) },
        { "attention dropout -0.1", BertTestData.Config() with { AttentionProbsDropoutProb = -0.1 }, nameof(BertConfig.AttentionProbsDropoutProb) },
        { "eps 0", BertTestData.Config() with { LayerNormEps = 0 }, nameof(BertConfig.LayerNormEps) },
        { "init range inf", BertTestData.Config() with { InitializerRange = double.PositiveInfinity }, nameof(BertConfig.InitializerRange) },
        { "pad id = vocab", BertTestData.Config() with { PadTokenId = 50 }, nameof(BertConfig.PadTokenId) },
        { "placement 7", BertTestData.Config() with { LayerNormPlacement = (LayerNormPlacement)7 }, nameof(BertConfig.LayerNormPlacement) },
    };

    [Theory]
    [MemberData(nameof(InvalidConfigs))]
    public void Validate_OutOfRangeOption_ThrowsNamingTheOption(string caseName, BertConfig config, string option)
    {
        var act = () => config.Validate();

        act.Should().Throw<ArgumentOutOfRangeException>(caseName)
            .Where(e => e.ParamName == option && e.Message.Contains("BertConfig." + option));
    }

    [Fact]
    public void Validate_HiddenNotDivisibleByHeads_ThrowsNamingBothOptions()
    {
        var config = BertTestData.Config() with { HiddenSize = 15, NumAttentionHeads = 2 };

        var act = () => config.Validate();

        act.Should().Throw<ArgumentException>()
            .Where(e => e.ParamName == nameof(BertConfig.HiddenSize))
            .WithMessage("*HiddenSize*divisible*NumAttentionHeads*15*2*");
    }

    [Fact]
    public void ModelConstructor_InvalidConfig_Throws()
    {
        var act = () => new BertModel(BertTestData.Config() with { NumAttentionHeads = 3 });

        act.Should().Throw<ArgumentException>().WithMessage("*NumAttentionHeads*");
    }

    [Fact]
    public void Presets_AreValidAndFollowBertMiniatures()
    {
        BertConfig.Tiny(50).Validate().Should().Match<BertConfig>(c => c.NumHiddenLayers == 2 && c.HiddenSize == 128 && c.NumAttentionHeads == 2 && c.IntermediateSize == 512 && c.VocabSize == 50);
        BertConfig.Mini(50).Validate().HiddenSize.Should().Be(256);
        BertConfig.Small(50).Validate().HiddenSize.Should().Be(512);
        BertConfig.Medium(50).Validate().NumHiddenLayers.Should().Be(8);
        BertConfig.Base().Validate().Should().Match<BertConfig>(c => c.VocabSize == 30522 && c.HiddenSize == 768 && c.NumHiddenLayers == 12 && c.IntermediateSize == 3072);
        new BertConfig().Should().Be(BertConfig.Base(), "the defaults are BERT-Base");
    }

    [Fact]
    public void Json_RoundTrip_GivesAnEqualConfig()
    {
        var config = BertTestData.Config(layers: 3, placement: LayerNormPlacement.PreLayerNorm) with { PadTokenId = 1, HiddenDropoutProb = 0.25 };

        var json = config.ToJson();
        var read = BertConfig.FromJson(json);

        read.Should().Be(config);
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        root.GetProperty("hidden_size").GetInt32().Should().Be(16);
        root.GetProperty("num_hidden_layers").GetInt32().Should().Be(3);
        root.GetProperty("layer_norm_placement").GetString().Should().Be("PreLayerNorm");
        root.GetProperty("model_type").GetString().Should().Be("bert");
        root.GetProperty("hidden_act").GetString().Should().Be("gelu");
    }

    [Fact]
    public void Json_HuggingFaceConfig_IsRead()
    {
        const string huggingFaceConfig = """
            {
              "architectures": ["BertForMaskedLM"],
              "attention_probs_dropout_prob": 0.1,
              "hidden_act": "gelu",
              "hidden_dropout_prob": 0.1,
              "hidden_size": 768,
              "initializer_range": 0.02,
              "intermediate_size": 3072,
              "layer_norm_eps": 1e-12,
              "max_position_embeddings": 512,
              "model_type": "bert",
              "num_attention_heads": 12,
              "num_hidden_layers": 12,
              "pad_token_id": 0,
              "position_embedding_type": "absolute",
              "transformers_version": "4.40.0",
              "type_vocab_size": 2,
              "use_cache": true,
              "vocab_size": 30522
            }
            """;

        var config = BertConfig.FromJson(huggingFaceConfig);

        config.Should().Be(BertConfig.Base());
        config.LayerNormPlacement.Should().Be(LayerNormPlacement.PostLayerNorm);
    }

    [Fact]
    public void Json_InvalidValues_AreRejectedOnRead()
    {
        var act = () => BertConfig.FromJson("""{ "hidden_size": 10, "num_attention_heads": 3 }""");

        act.Should().Throw<ArgumentException>().WithMessage("*HiddenSize*NumAttentionHeads*");
    }

    [Fact]
    public void SaveAndLoad_File_RoundTrips()
    {
        var path = Path.Combine(Path.GetTempPath(), $"bert-config-{Guid.NewGuid():N}.json");
        try
        {
            var config = BertTestData.Config();
            config.Save(path);
            BertConfig.Load(path).Should().Be(config);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
