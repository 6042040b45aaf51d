using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExtensions.Estimators.Data;

namespace MLNetExtensions.Tests.Data;

public sealed class TextCorpusReaderTests
{
    [Fact]
    public void Brown_gives_its_500_samples_with_one_sentence_per_line()
    {
        var documents = TextCorpusReader.ReadDocuments(TextCorpusKind.Brown).ToList();

        documents.Should().HaveCount(500);
        documents[0].Title.Should().Be("Brown sample 1");
        documents[^1].Title.Should().Be("Brown sample 500");
        documents[0].Sentences[0].Should().StartWith("The Fulton County Grand Jury said Friday an investigation of Atlanta's recent primary election");
        documents.Sum(d => d.Sentences.Count).Should().Be(57_340, "the file has 57,340 non-empty lines");
        documents.SelectMany(d => d.Sentences).Should().OnlyContain(s => s.Length > 0 && s == s.Trim());
    }

    [Fact]
    public void State_of_the_union_gives_233_addresses_cut_into_sentences()
    {
        var documents = TextCorpusReader.ReadDocuments(TextCorpusKind.StateOfTheUnion).ToList();

        documents.Should().HaveCount(233);
        documents[0].Title.Should().Be("State of the Union address 1");
        documents[0].Sentences[0].Should().StartWith("Fellow-Citizens of the Senate and House of Representatives: In meeting you again");
        documents.Should().OnlyContain(d => d.Sentences.Count > 10);
        documents[^1].Sentences.Take(3).Should().Equal("Thank you.", "(Applause.)", "Thank you.");
        documents[^1].Sentences[^1].Should().Be("(Applause.)");
        var sentences = documents.SelectMany(d => d.Sentences).ToList();
        sentences.Should().OnlyContain(s => s.Length > 0 && s == s.Trim());
        sentences.Average(s => s.Length).Should().BeInRange(60, 250, "addresses are cut into sentences, not kept whole");
    }

    [Fact]
    public void Moby_dick_gives_its_sections_titled_by_their_headings()
    {
        var documents = TextCorpusReader.ReadDocuments(TextCorpusKind.MobyDick).ToList();

        documents.Should().HaveCount(138, "etymology, extracts, 135 chapters and the epilogue");
        documents[0].Title.Should().StartWith("ETYMOLOGY.");
        documents[1].Title.Should().StartWith("EXTRACTS.");
        documents[2].Title.Should().Be("CHAPTER 1. Loomings.");
        documents[2].Sentences[0].Should().Be("Call me Ishmael.");
        documents[136].Title.Should().StartWith("CHAPTER 135.");
        documents[^1].Title.Should().StartWith("Epilogue");
        documents.Should().OnlyContain(d => d.Sentences.Count > 0);
    }

    [Fact]
    public void The_data_view_has_one_text_column_and_one_row_per_sentence_and_can_be_read_twice()
    {
        var mlContext = new MLContext(seed: 1);

        var view = TextCorpusReader.LoadSentences(mlContext, TextCorpusKind.Brown);

        view.Schema.Should().ContainSingle();
        view.Schema[0].Name.Should().Be("Text");
        view.Schema[0].Type.Should().Be(TextDataViewType.Instance);
        CountRows(view).Should().Be(57_340);
        CountRows(view).Should().Be(57_340, "every cursor reads the file again");
        mlContext.Data.CreateEnumerable<TextRow>(view, reuseRowObject: false).First().Text
            .Should().StartWith("The Fulton County Grand Jury");
    }

    [Fact]
    public void Plain_and_gzip_files_are_read_alike_and_blank_lines_only_separate()
    {
        using var files = new TemporaryDataFiles();
        const string Text = "A first sentence .\nA second one .\n\n\n  \nAnother sample .\n\n";
        var plain = files.WriteText("plain.txt", Text);
        var gzip = files.WriteGzip("packed.txt.gz", Text);

        foreach (var path in new[] { plain, gzip })
        {
            var documents = TextCorpusReader.ReadDocuments(path, TextCorpusKind.Brown).ToList();
            documents.Select(d => d.Sentences.Count).Should().Equal(2, 1);
            TextCorpusReader.ReadSentences(path, TextCorpusKind.Brown).Should().Equal("A first sentence .", "A second one .", "Another sample .");
        }
    }

    [Theory]
    [InlineData("Mr. Smith went to Washington. He arrived on Monday.", new[] { "Mr. Smith went to Washington.", "He arrived on Monday." })]
    [InlineData("The U.S. Congress met. It adjourned!", new[] { "The U.S. Congress met.", "It adjourned!" })]
    [InlineData("See No. 5 and John Q. Adams. \"Is it so?\" he asked. Yes.", new[] { "See No. 5 and John Q. Adams.", "\"Is it so?\" he asked.", "Yes." })]
    [InlineData("No. We will not. 3 ships sailed.", new[] { "No.", "We will not.", "3 ships sailed." })]
    [InlineData("It costs 3.5 dollars, i.e. little", new[] { "It costs 3.5 dollars, i.e. little" })]
    public void The_sentence_splitter_handles_common_abbreviations(string text, string[] expected)
    {
        SentenceSplitter.Split(text).Should().Equal(expected);
    }

    [Fact]
    public void A_missing_file_is_reported_at_the_call_with_its_path()
    {
        using var files = new TemporaryDataFiles();
        var missing = files.Missing("absent.txt.gz");

        var act = () => TextCorpusReader.ReadDocuments(missing, TextCorpusKind.MobyDick);

        act.Should().Throw<FileNotFoundException>().Where(e => e.FileName == missing && e.Message.Contains(missing));
    }

    [Fact]
    public void Invalid_utf8_is_an_error_with_the_file_and_line()
    {
        using var files = new TemporaryDataFiles();
        var path = files.WriteBytes("bad.txt", [(byte)'o', (byte)'k', (byte)'\n', 0xC3, 0x28, (byte)'\n']);

        var act = () => TextCorpusReader.ReadSentences(path, TextCorpusKind.Brown).ToList();

        act.Should().Throw<InvalidDataException>().WithMessage("bad.txt, line 2: expected UTF-8 text*");
    }

    private static long CountRows(IDataView view)
    {
        long count = 0;
        using var cursor = view.GetRowCursor(view.Schema);
        var getter = cursor.GetGetter<ReadOnlyMemory<char>>(view.Schema["Text"]);
        ReadOnlyMemory<char> value = default;
        while (cursor.MoveNext())
        {
            getter(ref value);
            count++;
        }

        return count;
    }
}
