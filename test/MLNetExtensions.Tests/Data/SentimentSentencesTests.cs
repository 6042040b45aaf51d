using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExtensions.Estimators.Data;

namespace MLNetExtensions.Tests.Data;

public sealed class SentimentSentencesTests
{
    [Theory]
    [InlineData("Amazon", "amazon")]
    [InlineData("Imdb", "imdb")]
    [InlineData("Yelp", "yelp")]
    public void Every_file_gives_1000_sentences_500_of_each_label(string sourceName, string name)
    {
        // The loaders are internal (benchmark plumbing), so a public theory takes the source by name.
        var rows = SentimentSentences.Read(Enum.Parse<SentimentSource>(sourceName));

        rows.Should().HaveCount(1000);
        rows.Count(r => r.Label).Should().Be(500);
        rows.Count(r => !r.Label).Should().Be(500);
        rows.Should().OnlyContain(r => r.Source == name);
        rows.Should().OnlyContain(r => r.Text.Length > 0 && r.Text == r.Text.TrimEnd() && !r.Text.Contains('\t'));
    }

    [Fact]
    public void Sentences_with_quotes_and_commas_are_kept_whole()
    {
        var rows = SentimentSentences.Read(SentimentSource.Amazon);

        rows[0].Text.Should().Be("So there is no way for me to plug it in here in the US unless I go by a converter.");
        rows[0].Label.Should().BeFalse();
        rows.Should().Contain(r => r.Text.Contains('"') && r.Text.Contains(','));
    }

    [Fact]
    public void Load_all_gives_a_view_of_3000_rows_with_text_label_and_source()
    {
        var view = SentimentSentences.LoadAll(new MLContext(seed: 1));

        view.Schema.Select(c => (c.Name, c.Type)).Should().Equal(
            ("Text", (DataViewType)TextDataViewType.Instance),
            ("Label", BooleanDataViewType.Instance),
            ("Source", TextDataViewType.Instance));
        new MLContext().Data.CreateEnumerable<SentimentSentence>(view, reuseRowObject: false).Should().HaveCount(3000);
    }

    [Fact]
    public void The_split_is_80_20_and_stratified_by_source_and_label()
    {
        var all = SentimentSentences.ReadAll();

        var (train, test) = SentimentSentences.SplitTrainTest(all, testFraction: 0.2, seed: 7);

        train.Should().HaveCount(2400);
        test.Should().HaveCount(600);
        var used = new HashSet<object>(train.Concat(test), ReferenceEqualityComparer.Instance);
        used.Should().HaveCount(3000, "no row is in both sets");
        used.SetEquals(all).Should().BeTrue("every row is in one of the sets");
        test.GroupBy(r => (r.Source, r.Label)).Should().HaveCount(6).And.OnlyContain(g => g.Count() == 100);
    }

    [Fact]
    public void The_split_is_the_same_for_a_seed_and_different_for_another_seed()
    {
        var first = TestKeys(SentimentSentences.SplitTrainTest(SentimentSentences.ReadAll(), 0.2, seed: 42).Test);
        var again = TestKeys(SentimentSentences.SplitTrainTest(SentimentSentences.ReadAll(), 0.2, seed: 42).Test);
        var other = TestKeys(SentimentSentences.SplitTrainTest(SentimentSentences.ReadAll(), 0.2, seed: 43).Test);

        again.Should().Equal(first);
        other.Should().NotEqual(first);
        other.Intersect(first).Count().Should().BeInRange(60, 200, "two independent 20 % samples share about 20 % of their rows");
    }

    [Fact]
    public void The_split_does_not_depend_on_the_process_or_platform()
    {
        // Pinned output of the library's own SplitMix64 shuffle: any change of the algorithm shows here.
        var test = SentimentSentences.SplitTrainTest(SentimentSentences.ReadAll(), 0.2, seed: 42).Test;

        test.Take(3).Select(r => r.Text).Should().Equal(PinnedFirstTestSentencesForSeed42);
    }

    [Fact]
    public void The_ml_net_split_has_the_same_rows_as_the_list_split()
    {
        var mlContext = new MLContext(seed: 1);

        var views = SentimentSentences.SplitTrainTest(mlContext, testFraction: 0.2, seed: 42);

        var trainRows = mlContext.Data.CreateEnumerable<SentimentSentence>(views.TrainSet, reuseRowObject: false).ToList();
        var testRows = mlContext.Data.CreateEnumerable<SentimentSentence>(views.TestSet, reuseRowObject: false).ToList();
        trainRows.Should().HaveCount(2400);
        TestKeys(testRows).Should().Equal(TestKeys(SentimentSentences.SplitTrainTest(SentimentSentences.ReadAll(), 0.2, seed: 42).Test));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void A_test_fraction_outside_0_1_is_rejected(double fraction)
    {
        var act = () => SentimentSentences.SplitTrainTest(SentimentSentences.ReadAll(), fraction, seed: 1);

        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Theory]
    [InlineData("Good phone.\t1\nNo tab here 0\n", "bad.txt, line 2: expected 'sentence<TAB>label', found no tab")]
    [InlineData("Good phone.\t1\nBad phone.\t2\n", "bad.txt, line 2: expected the label 0 or 1 after the tab, found '2'")]
    [InlineData("Good phone.\tyes\n", "bad.txt, line 1: expected the label 0 or 1 after the tab, found 'yes'")]
    [InlineData("\n  \t1\n", "bad.txt, line 2: expected a sentence before the tab, found nothing")]
    public void A_malformed_line_is_an_error_with_file_line_and_expectation(string content, string message)
    {
        using var files = new TemporaryDataFiles();
        var path = files.WriteText("bad.txt", content);

        var act = () => SentimentSentences.Read(path, "test");

        act.Should().Throw<InvalidDataException>().WithMessage(message);
    }

    [Fact]
    public void Tabs_inside_the_sentence_quotes_and_trailing_spaces_are_handled()
    {
        using var files = new TemporaryDataFiles();
        var path = files.WriteText("ok.txt", "He said \"no, never\".  \t0\r\nA\tB\t1\r\n\r\n");

        var rows = SentimentSentences.Read(path, "test");

        rows.Select(r => (r.Text, r.Label)).Should().Equal(("He said \"no, never\".", false), ("A\tB", true));
    }

    [Fact]
    public void A_missing_file_is_a_file_not_found_error_with_the_path()
    {
        using var files = new TemporaryDataFiles();
        var missing = files.Missing("nothing.txt");

        var act = () => SentimentSentences.Read(missing, "test");

        act.Should().Throw<FileNotFoundException>().Where(e => e.FileName == missing);
    }

    private static readonly string[] PinnedFirstTestSentencesForSeed42 =
    [
        "Great for the jawbone.",
        "If you have several dozen or several hundred contacts, then imagine the fun of sending each of them one by one.",
        "I bought this to use with my Kindle Fire and absolutely loved it!",
    ];

    private static List<string> TestKeys(IEnumerable<SentimentSentence> rows) =>
        rows.Select(r => $"{r.Source}|{r.Label}|{r.Text}").ToList();
}
