using System.Text;
using MLNetExtensions.Estimators.Data;

namespace MLNetExtensions.Tests.Data;

public sealed class DataFileTests
{
    [Theory]
    [InlineData("a\nb\n", new[] { "a", "b" })]
    [InlineData("a\r\nb", new[] { "a", "b" })]
    [InlineData("\uFEFFfirst\r\n\r\nthird\n", new[] { "first", "", "third" })]
    [InlineData("", new string[0])]
    [InlineData("\n", new[] { "" })]
    public void The_line_reader_splits_at_newlines_and_drops_crlf_and_the_bom(string content, string[] expected)
    {
        using var reader = new Utf8LineReader(new MemoryStream(Encoding.UTF8.GetBytes(content)), bufferSize: 3);

        ReadAll(reader).Should().Equal(expected);
    }

    [Fact]
    public void The_line_reader_handles_lines_longer_than_its_buffer_and_multibyte_characters_across_reads()
    {
        var line = string.Concat(Enumerable.Repeat("déjà vu — ", 500));
        using var reader = new Utf8LineReader(new MemoryStream(Encoding.UTF8.GetBytes(line + "\n" + line)), bufferSize: 7);

        ReadAll(reader).Should().Equal(line, line);
    }

    [Theory]
    [InlineData("a,b,c", new[] { "a", "b", "c" })]
    [InlineData("a,,c,", new[] { "a", "", "c", "" })]
    [InlineData("", new[] { "" })]
    [InlineData("\"AIRLINE LOUNGE,METAL SIGN\",2", new[] { "AIRLINE LOUNGE,METAL SIGN", "2" })]
    [InlineData("1,\"RECORD FRAME 7\"\" SINGLE SIZE\",\"\"", new[] { "1", "RECORD FRAME 7\" SINGLE SIZE", "" })]
    public void The_csv_parser_splits_fields_and_unquotes(string line, string[] expected)
    {
        var fields = new List<string>();

        CsvLineParser.TrySplit(line, fields, out var error).Should().BeTrue(error);
        fields.Should().Equal(expected);
    }

    [Theory]
    [InlineData("a,\"open", "not closed")]
    [InlineData("a,\"closed\"x,b", "after the closing quote")]
    [InlineData("a,in\"side,b", "inside an unquoted field")]
    public void The_csv_parser_rejects_malformed_quoting(string line, string expected)
    {
        CsvLineParser.TrySplit(line, [], out var error).Should().BeFalse();
        error.Should().Contain(expected);
    }

    [Fact]
    public void Corrupt_gzip_data_is_an_invalid_data_error_naming_the_file()
    {
        using var files = new TemporaryDataFiles();
        var path = files.WriteBytes("broken.txt.gz", [0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xff, 0xff, 0xff, 0xff]);

        var act = () => TextCorpusReader.ReadSentences(path, TextCorpusKind.Brown).ToList();

        act.Should().Throw<InvalidDataException>().WithMessage("broken.txt.gz, line 1: *");
    }

    [Fact]
    public void Truncated_gzip_data_is_an_error_not_a_shorter_file()
    {
        using var files = new TemporaryDataFiles();
        var whole = files.WriteGzip("whole.txt.gz", string.Concat(Enumerable.Range(0, 20_000).Select(i => $"sentence number {i} .\n")));
        var bytes = File.ReadAllBytes(whole);
        var path = files.WriteBytes("cut.txt.gz", bytes[..(bytes.Length / 2)]);

        var act = () => TextCorpusReader.ReadSentences(path, TextCorpusKind.Brown).Count();

        act.Should().Throw<InvalidDataException>().WithMessage("cut.txt.gz, line *");
    }

    [Fact]
    public void A_gzip_file_shorter_than_any_complete_one_is_an_error()
    {
        using var files = new TemporaryDataFiles();
        var path = files.WriteBytes("stub.gz", [0x1f, 0x8b, 0x08, 0x00]);

        var act = () => TextCorpusReader.ReadSentences(path, TextCorpusKind.Brown).ToList();

        act.Should().Throw<InvalidDataException>().WithMessage("stub.gz, line 1: expected complete, valid gzip data: the gzip data is only 4 bytes long*");
    }

    private static List<string> ReadAll(Utf8LineReader reader)
    {
        var lines = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            lines.Add(line);
        }

        return lines;
    }
}
