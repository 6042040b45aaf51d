using MLNetExtensions.Tests.Bert;
using MLNetExtensions.Tests.FineTuning;
using MLNetExtensions.Transforms.Bert.Checkpoints;

namespace MLNetExtensions.Tests.Checkpoints;

/// <summary>Hugging Face BERT directories: import, unused and missing tensors, tokenizer settings, export and re-import.</summary>
public sealed class HuggingFaceCheckpointTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("hf-checkpoint-").FullName;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ATaskModelsDirectory_ImportsTheEncoder_AndReportsTheHeadsAsUnused(bool bertPrefix)
    {
        using var source = TinyCheckpoint.Model(seed: 3);
        string path = TinyCheckpoint.Write(Path.Combine(_directory, "task"), source, bertPrefix);

        using var checkpoint = BertCheckpoint.Load(path);

        checkpoint.Config.Should().Be(source.Config);
        BertTestData.SameTensors(checkpoint.Model, source).Should().BeTrue("every encoder and pooler tensor is copied exactly");
        checkpoint.UnusedTensors.Should().Equal("cls.predictions.bias", "cls.predictions.transform.dense.weight", "cls.seq_relationship.weight");
        checkpoint.MissingTensors.Should().BeEmpty();
        checkpoint.Tokenizer.VocabularySize.Should().Be(FineTuningTestData.Vocabulary.Count);
        (checkpoint.Tokenizer.LowerCase, checkpoint.Tokenizer.StripAccents).Should().Be((true, true), "Hugging Face's defaults without tokenizer_config.json");
        checkpoint.Source.Should().Be(path);
    }

    [Fact]
    public void ADirectoryWithoutPooler_GivesAnEncoderWithoutPooler_AndNamesTheMissingTensors()
    {
        using var source = TinyCheckpoint.Model(seed: 4);
        string path = TinyCheckpoint.Write(Path.Combine(_directory, "bare"), source, bertPrefix: false, withPooler: false, withMlmHead: false);

        using var checkpoint = BertCheckpoint.Load(path);

        checkpoint.Model.Pooler.Should().BeNull();
        checkpoint.MissingTensors.Should().Equal("pooler.dense.weight", "pooler.dense.bias");
        checkpoint.UnusedTensors.Should().BeEmpty();
        BertTestData.SameTensors(checkpoint.Model.Encoder, source.Encoder).Should().BeTrue();
    }

    [Theory]
    [InlineData("{\"do_lower_case\": false}", false, false)]
    [InlineData("{\"do_lower_case\": true, \"strip_accents\": false}", true, false)]
    [InlineData("{\"do_lower_case\": false, \"strip_accents\": true}", false, true)]
    [InlineData("{\"do_lower_case\": true, \"strip_accents\": null}", true, true)]
    public void TheTokenizer_FollowsTokenizerConfig(string tokenizerConfig, bool lowerCase, bool stripAccents)
    {
        using var source = TinyCheckpoint.Model(seed: 5);
        string path = TinyCheckpoint.Write(Path.Combine(_directory, "tokenizer"), source, tokenizerConfig: tokenizerConfig);

        using var checkpoint = BertCheckpoint.Load(path);

        (checkpoint.Tokenizer.LowerCase, checkpoint.Tokenizer.StripAccents).Should().Be((lowerCase, stripAccents));
    }

    [Theory]
    [InlineData("{\"tokenizer_class\": \"BertJapaneseTokenizer\"}", "*tokenizer_class is \"BertJapaneseTokenizer\"*BertTokenizer and BertTokenizerFast only*")]
    [InlineData("{\"do_basic_tokenize\": false}", "*do_basic_tokenize is false*")]
    [InlineData("{\"tokenize_chinese_chars\": false}", "*tokenize_chinese_chars is false*")]
    [InlineData("{\"never_split\": [\"C++\"]}", "*never_split is [\"C++\"]*")]
    public void ATokenizerConfig_ThisLibraryWouldTokenizeDifferently_IsRefused_NamingTheFileAndSetting(string tokenizerConfig, string message)
    {
        using var source = TinyCheckpoint.Model(seed: 5);
        string path = TinyCheckpoint.Write(Path.Combine(_directory, "other-tokenizer"), source, tokenizerConfig: tokenizerConfig);

        var load = () => BertCheckpoint.Load(path);

        load.Should().Throw<InvalidDataException>().WithMessage($"*tokenizer_config.json*{message}");
    }

    [Fact]
    public void ATokenizerConfig_AsHuggingFaceWritesIt_ForBert_Loads()
    {
        using var source = TinyCheckpoint.Model(seed: 5);
        string path = TinyCheckpoint.Write(Path.Combine(_directory, "hf-tokenizer"), source, tokenizerConfig:
            "{\"do_lower_case\": true, \"do_basic_tokenize\": true, \"never_split\": [\"[CLS]\", \"[SEP]\"], \"tokenize_chinese_chars\": true, \"strip_accents\": null, \"tokenizer_class\": \"BertTokenizer\", \"model_max_length\": 512}");

        using var checkpoint = BertCheckpoint.Load(path);

        (checkpoint.Tokenizer.LowerCase, checkpoint.Tokenizer.StripAccents).Should().Be((true, true));
    }

    [Fact]
    public void ImportExportImport_IsIdentical()
    {
        using var source = TinyCheckpoint.Model(seed: 6);
        string path = TinyCheckpoint.Write(Path.Combine(_directory, "original"), source, tokenizerConfig: "{\"do_lower_case\": true, \"strip_accents\": false}");
        using var first = BertCheckpoint.Load(path);
        string exported = Path.Combine(_directory, "exported");

        first.SaveHuggingFace(exported);
        using var second = BertCheckpoint.Load(exported);

        Directory.GetFiles(exported).Select(Path.GetFileName).Should().BeEquivalentTo("config.json", "model.safetensors", "vocab.txt", "tokenizer_config.json");
        second.Config.Should().Be(first.Config);
        BertTestData.SameTensors(second.Model, first.Model).Should().BeTrue();
        second.Tokenizer.VocabularyText.Should().Be(first.Tokenizer.VocabularyText);
        (second.Tokenizer.LowerCase, second.Tokenizer.StripAccents).Should().Be((true, false));
        second.UnusedTensors.Should().BeEmpty("the export holds only the encoder");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
