using MLNetExtensions.Estimators.Data;

namespace MLNetExtensions.Tests.Data;

public sealed class TimeSeriesFileReaderTests
{
    private const string Header = """
        # a comment
        @problemName Tiny
        @timeStamps false
        @missing false
        @univariate false
        @dimensions 2
        @equalLength false
        @classLabel true a b
        @data

        """;

    [Fact]
    public void The_training_set_has_270_series_of_12_dimensions_30_per_speaker()
    {
        var train = TimeSeriesFileReader.Read(ShippedData.JapaneseVowelsTrainPath);

        train.Header.Should().BeEquivalentTo(new
        {
            ProblemName = "JapaneseVowels",
            TimeStamps = false,
            Missing = false,
            Univariate = false,
            Dimensions = 12,
            EqualLength = false,
            SeriesLength = (int?)null,
        });
        train.Header.ClassLabels.Should().Equal("1", "2", "3", "4", "5", "6", "7", "8", "9");
        train.Series.Should().HaveCount(270);
        train.Series.Should().OnlyContain(s => s.Dimensions == 12 && s.Values.All(step => step.Length == 12));
        train.Series.GroupBy(s => s.Label).Should().HaveCount(9).And.OnlyContain(g => g.Count() == 30);
        train.Series.Should().OnlyContain(s => s.Label == train.Header.ClassLabels[s.LabelIndex]);
    }

    [Fact]
    public void The_test_set_has_370_series_and_lengths_run_from_7_to_29()
    {
        var train = TimeSeriesFileReader.Read(ShippedData.JapaneseVowelsTrainPath);
        var test = TimeSeriesFileReader.Read(ShippedData.JapaneseVowelsTestPath);

        test.Series.Should().HaveCount(370);
        test.Series.Select(s => s.Label).Distinct().Should().HaveCount(9);
        var lengths = train.Series.Concat(test.Series).Select(s => s.Length).ToList();
        lengths.Min().Should().Be(7);
        lengths.Max().Should().Be(29);
        test.Series[^1].Length.Should().Be(11);
        test.Series[^1].Label.Should().Be("9");
    }

    [Fact]
    public void Values_are_laid_out_time_step_by_dimension()
    {
        var first = TimeSeriesFileReader.Read(ShippedData.JapaneseVowelsTrainPath).Series[0];

        first.Length.Should().Be(20);
        first.Values[0][0].Should().Be(1.860936f, "dimension 1 at step 1");
        first.Values[1][0].Should().Be(1.891651f, "dimension 1 at step 2");
        first.Values[0][1].Should().Be(-0.207383f, "dimension 2 at step 1");
        first.Label.Should().Be("1");
        first.LabelIndex.Should().Be(0);
    }

    [Fact]
    public void A_small_file_is_transposed_into_steps_and_features()
    {
        using var files = new TemporaryDataFiles();
        var path = files.WriteText("tiny.ts", Header + "1,2,3:4,5,6:b\r\n# between series\n0.5,1e-3:-2,7:a\n");

        var data = TimeSeriesFileReader.Read(path);

        data.Header.ProblemName.Should().Be("Tiny");
        data.Series.Should().HaveCount(2);
        data.Series[0].Values.Should().BeEquivalentTo(new[] { new[] { 1f, 4f }, new[] { 2f, 5f }, new[] { 3f, 6f } }, o => o.WithStrictOrdering());
        data.Series[0].Label.Should().Be("b");
        data.Series[0].LabelIndex.Should().Be(1);
        data.Series[1].Values.Should().BeEquivalentTo(new[] { new[] { 0.5f, -2f }, new[] { 0.001f, 7f } }, o => o.WithStrictOrdering());
    }

    [Fact]
    public void Missing_values_are_nan_only_when_the_header_allows_them()
    {
        using var files = new TemporaryDataFiles();
        var allowed = files.WriteText("allowed.ts", Header.Replace("@missing false", "@missing true", StringComparison.Ordinal) + "1,?:NaN,2:a\n");
        var refused = files.WriteText("refused.ts", Header + "1,?:3,2:a\n");

        TimeSeriesFileReader.Read(allowed).Series[0].Values.Should().BeEquivalentTo(new[] { new[] { 1f, float.NaN }, new[] { float.NaN, 2f } }, o => o.WithStrictOrdering());
        FluentActions.Invoking(() => TimeSeriesFileReader.Read(refused)).Should().Throw<InvalidDataException>()
            .WithMessage("refused.ts, line 10: expected a number as value 2 of dimension 1, found '?' (missing values need '@missing true')");
    }

    [Fact]
    public void Without_a_dimensions_line_the_first_series_sets_the_count()
    {
        using var files = new TemporaryDataFiles();
        var path = files.WriteText("nodims.ts", Header.Replace("@dimensions 2\n", string.Empty, StringComparison.Ordinal) + "1,2:3,4:5,6:a\n7:8:9:b\n");

        var data = TimeSeriesFileReader.Read(path);

        data.Header.Dimensions.Should().Be(3);
        data.Series.Select(s => s.Length).Should().Equal(2, 1);
    }

    [Fact]
    public void Without_a_dimensions_line_a_first_series_of_only_a_label_is_an_error_with_file_and_line()
    {
        using var files = new TemporaryDataFiles();
        var path = files.WriteText("nodims.ts", Header.Replace("@dimensions 2\n", string.Empty, StringComparison.Ordinal) + "a\n");

        var act = () => TimeSeriesFileReader.Read(path);

        act.Should().Throw<InvalidDataException>()
            .WithMessage("nodims.ts, line 9: expected at least 1 dimension and a class label separated by ':' (the header has no '@dimensions', so the first series sets the count), found only 'a'");
    }

    [Theory]
    [InlineData("1,2:3,4:5,6:a", "bad.ts, line 10: expected 2 dimension(s) and a class label separated by ':', found 4 field(s) (3 dimension(s) before the label)")]
    [InlineData("1,2:a", "bad.ts, line 10: expected 2 dimension(s) and a class label separated by ':', found 2 field(s) (1 dimension(s) before the label)")]
    [InlineData("1,x:3,4:a", "bad.ts, line 10: expected a number as value 2 of dimension 1, found 'x'")]
    [InlineData("1,2:3,4:c", "bad.ts, line 10: expected a class label among the declared a b, found 'c'")]
    [InlineData("1,2:3:a", "bad.ts, line 10: expected every dimension of a series to have the same length, but dimension 1 has 2 values and dimension 2 has 1")]
    [InlineData("1,2::a", "bad.ts, line 10: expected comma-separated values in dimension 2, found nothing")]
    [InlineData("1,,2:3,4,5:a", "bad.ts, line 10: expected a number as value 2 of dimension 1, found ''")]
    [InlineData("@seriesLength 3", "bad.ts, line 10: expected a series, found the header line '@seriesLength' after '@data'")]
    public void A_malformed_series_is_an_error_with_file_line_and_expectation(string line, string message)
    {
        using var files = new TemporaryDataFiles();
        var path = files.WriteText("bad.ts", Header + line + "\n");

        var act = () => TimeSeriesFileReader.Read(path);

        act.Should().Throw<InvalidDataException>().WithMessage(message);
    }

    [Theory]
    [InlineData("@equalLength false", "@equalLength true", "1,2:3,4:a\n1:2:b\n", "bad.ts, line 11: expected 2 time steps like the first series (the header declares '@equalLength true'), found 1")]
    [InlineData("@equalLength false", "@equalLength false\n@seriesLength 2", "1:2:a\n", "bad.ts, line 11: expected 2 time steps (the header declares '@seriesLength 2'), found 1")]
    [InlineData("@data\n", "", "", "bad.ts, line 8: expected an '@data' line before the series, but the file ended without one")]
    [InlineData("@data\n", "", "1,2:3,4:a\n", "bad.ts, line 9: expected a header line starting with '@' (the series start only after '@data')")]
    [InlineData("# a comment", "1,2:3,4:a", "", "bad.ts, line 1: expected a header line starting with '@' (the series start only after '@data')")]
    [InlineData("@timeStamps false", "@timeStamps true", "", "bad.ts, line 3: expected '@timeStamps false': series with time stamps are not supported")]
    [InlineData("@classLabel true a b", "@classLabel false", "", "bad.ts, line 8: expected '@classLabel true' followed by the labels*")]
    [InlineData("@classLabel true a b", "@classLabel true", "", "bad.ts, line 8: expected the class labels after '@classLabel true', found none")]
    [InlineData("@classLabel true a b", "@classLabel true a a", "", "bad.ts, line 8: expected distinct class labels, found 'a' more than once")]
    [InlineData("@classLabel true a b\n", "", "1:2:a\n", "bad.ts, line 8: expected a '@classLabel true …' header line before '@data'")]
    [InlineData("@dimensions 2", "@dimensions two", "", "bad.ts, line 6: expected '@dimensions' followed by a positive integer, found '@dimensions two'")]
    [InlineData("@univariate false", "@univariate maybe", "", "bad.ts, line 5: expected '@univariate true' or '@univariate false', found '@univariate maybe'")]
    [InlineData("@univariate false", "@univariate true", "", "bad.ts, line 9: expected 1 dimension for a univariate file ('@univariate true'), but the header declares 2")]
    [InlineData("@univariate false", "@targetLabel true", "", "bad.ts, line 5: expected one of the header keywords*found '@targetLabel'")]
    public void A_malformed_header_is_an_error_with_file_line_and_expectation(string replace, string with, string series, string message)
    {
        using var files = new TemporaryDataFiles();
        var path = files.WriteText("bad.ts", Header.Replace(replace, with, StringComparison.Ordinal) + series);

        var act = () => TimeSeriesFileReader.Read(path);

        act.Should().Throw<InvalidDataException>().WithMessage(message);
    }

    [Fact]
    public void A_missing_file_is_a_file_not_found_error_with_the_path()
    {
        using var files = new TemporaryDataFiles();
        var missing = files.Missing("absent.ts");

        FluentActions.Invoking(() => TimeSeriesFileReader.Read(missing)).Should().Throw<FileNotFoundException>().Where(e => e.FileName == missing);
    }
}
