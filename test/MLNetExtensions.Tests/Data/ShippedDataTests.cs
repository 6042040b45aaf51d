using MLNetExtensions.Estimators.Data;

namespace MLNetExtensions.Tests.Data;

public sealed class ShippedDataTests
{
    [Fact]
    public void Finds_the_repository_data_folder_from_the_test_output_folder()
    {
        var directory = ShippedData.DataDirectory;

        Path.GetFileName(directory).Should().Be("data");
        File.Exists(Path.Combine(directory, ShippedData.MarkerFile)).Should().BeTrue();
    }

    [Fact]
    public void Every_shipped_file_exists()
    {
        var paths = new List<string>
        {
            ShippedData.BertVocabularyPath,
            ShippedData.BertVocabularyLicensePath,
            ShippedData.SentimentReadmePath,
            ShippedData.CompleteJourneyTransactionsPath,
            ShippedData.CompleteJourneyProductsPath,
            ShippedData.OnlineRetailPath,
            ShippedData.JapaneseVowelsTrainPath,
            ShippedData.JapaneseVowelsTestPath,
        };
        paths.AddRange(Enum.GetValues<TextCorpusKind>().Select(ShippedData.CorpusPath));
        paths.AddRange(Enum.GetValues<SentimentSource>().Select(ShippedData.SentimentPath));

        paths.Should().OnlyContain(path => File.Exists(path));
        paths.Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public void The_vocabulary_has_the_bert_uncased_special_tokens_at_their_ids()
    {
        var tokens = File.ReadAllLines(ShippedData.BertVocabularyPath);

        tokens.Should().HaveCount(30_522);
        tokens[0].Should().Be("[PAD]");
        tokens[100].Should().Be("[UNK]");
        tokens[101].Should().Be("[CLS]");
        tokens[102].Should().Be("[SEP]");
        tokens[103].Should().Be("[MASK]");
        tokens.Count(t => t.StartsWith("##", StringComparison.Ordinal)).Should().Be(5_828);
    }

    [Fact]
    public void The_environment_value_wins_and_may_name_the_data_folder_or_the_folder_above_it()
    {
        using var files = new TemporaryDataFiles();
        files.WriteText(Path.Combine("repo", "data", "vocab", "bert-base-uncased-vocab.txt"), "[PAD]\n");
        var data = Path.Combine(files.Directory, "repo", "data");

        ShippedData.Locate(data, [AppContext.BaseDirectory]).Should().Be(data);
        ShippedData.Locate(Path.Combine(files.Directory, "repo"), [AppContext.BaseDirectory]).Should().Be(data);
    }

    [Fact]
    public void An_environment_value_without_the_marker_is_an_error_naming_the_variable()
    {
        using var files = new TemporaryDataFiles();

        var act = () => ShippedData.Locate(files.Directory, [AppContext.BaseDirectory]);

        act.Should().Throw<DirectoryNotFoundException>()
            .WithMessage($"*{ShippedData.EnvironmentVariable}*{files.Directory}*");
    }

    [Fact]
    public void Walks_up_from_a_start_folder_to_the_first_data_folder_with_the_marker()
    {
        using var files = new TemporaryDataFiles();
        files.WriteText(Path.Combine("repo", "data", "vocab", "bert-base-uncased-vocab.txt"), "[PAD]\n");
        var deep = Path.Combine(files.Directory, "repo", "test", "bin", "Debug", "net10.0");
        Directory.CreateDirectory(deep);

        ShippedData.Locate(null, [null, deep]).Should().Be(Path.Combine(files.Directory, "repo", "data"));
    }

    [Fact]
    public void Not_finding_the_folder_says_what_was_looked_for_and_names_the_variable()
    {
        using var files = new TemporaryDataFiles();
        var start = Path.Combine(files.Directory, "nowhere");
        Directory.CreateDirectory(start);
        for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "data", ShippedData.MarkerFile)))
            {
                return; // A data folder above the temporary folder: nothing to prove on this machine.
            }
        }

        var act = () => ShippedData.Locate("  ", [start]);

        act.Should().Throw<DirectoryNotFoundException>()
            .WithMessage($"*data/{ShippedData.MarkerFile}*{start}*{ShippedData.EnvironmentVariable}*");
    }
}
