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

        var record = Path.Combine(files.Directory, "absent.txt");
        ShippedData.Locate(data, record, files.Directory).Should().Be(data);
        ShippedData.Locate(Path.Combine(files.Directory, "repo"), record, files.Directory).Should().Be(data);
    }

    [Fact]
    public void An_environment_value_without_the_marker_is_an_error_naming_the_variable()
    {
        using var files = new TemporaryDataFiles();

        var act = () => ShippedData.Locate(files.Directory, Path.Combine(files.Directory, "absent.txt"), files.Directory);

        act.Should().Throw<DirectoryNotFoundException>()
            .WithMessage($"*{ShippedData.EnvironmentVariable}*{files.Directory}*");
    }

    [Fact]
    public void The_build_record_names_the_folder_before_the_current_directory_is_tried()
    {
        using var files = new TemporaryDataFiles();
        files.WriteText(Path.Combine("repo", "data", "vocab", "bert-base-uncased-vocab.txt"), "[PAD]\n");
        files.WriteText(Path.Combine("other", "data", "vocab", "bert-base-uncased-vocab.txt"), "[PAD]\n");
        var data = Path.Combine(files.Directory, "repo", "data");
        var record = Path.Combine(files.Directory, "bin", ShippedData.RecordFileName);
        files.WriteText(Path.Combine("bin", ShippedData.RecordFileName), data + "\n");

        ShippedData.Locate(null, record, Path.Combine(files.Directory, "other")).Should().Be(data);
        ShippedData.Locate(null, Path.Combine(files.Directory, "absent.txt"), Path.Combine(files.Directory, "other"))
            .Should().Be(Path.Combine(files.Directory, "other", "data"), "without a record, data/ of the current directory is used");
    }

    [Fact]
    public void A_record_naming_a_folder_without_the_marker_is_an_error_naming_the_file()
    {
        using var files = new TemporaryDataFiles();
        files.WriteText(ShippedData.RecordFileName, Path.Combine(files.Directory, "gone") + "\n");
        var record = Path.Combine(files.Directory, ShippedData.RecordFileName);

        var act = () => ShippedData.Locate(null, record, files.Directory);

        act.Should().Throw<DirectoryNotFoundException>().WithMessage($"*{record}*gone*{ShippedData.MarkerFile}*{ShippedData.EnvironmentVariable}*");
    }

    [Fact]
    public void Not_finding_the_folder_says_what_was_looked_for_and_names_the_variable()
    {
        using var files = new TemporaryDataFiles();
        var start = Path.Combine(files.Directory, "nowhere");
        Directory.CreateDirectory(start);
        var record = Path.Combine(files.Directory, "absent.txt");

        var act = () => ShippedData.Locate("  ", record, start);

        act.Should().Throw<DirectoryNotFoundException>()
            .WithMessage($"*{record}*{Path.Combine(start, "data", ShippedData.MarkerFile)}*{ShippedData.EnvironmentVariable}*");
    }

    [Fact]
    public void The_build_writes_the_record_beside_the_test_binaries()
    {
        var record = Path.Combine(AppContext.BaseDirectory, ShippedData.RecordFileName);

        File.Exists(record).Should().BeTrue();
        File.Exists(Path.Combine(File.ReadAllLines(record)[0], ShippedData.MarkerFile)).Should().BeTrue();
    }
}
