using System.Text;
using Microsoft.ML;
using MLNetExtensions.Transforms.Text;

namespace MLNetExtensions.Tests.Text;

/// <summary>
/// How vocabulary files are read (Hugging Face's <c>load_vocab</c> rule: line number = id) and how bad ones are
/// refused, naming the file.
/// </summary>
public sealed class VocabularyRulesTests : IDisposable
{
    private const string Specials = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n";
    private readonly string _directory = Directory.CreateTempSubdirectory("vocab-rules-").FullName;

    [Fact]
    public void ABlankLineInTheMiddle_KeepsItsId_AndTheSizeCoversEveryId()
    {
        var encoder = WordPieceEncoder.FromText(Specials + "hello\n\nworld\n");

        encoder.VocabularySize.Should().Be(8, "ids are line numbers: the blank line 6 is id 6, world on line 7 is id 7");
        encoder.EncodeWithoutSpecialTokens("hello world").Should().Equal(5, 7);
        encoder.IdToToken(6).Should().BeEmpty();
        encoder.IdToToken(7).Should().Be("world");
        encoder.EncodeWithoutSpecialTokens("hello world hello").Should().OnlyContain(id => id < encoder.VocabularySize);
    }

    [Fact]
    public void BlankLinesAfterTheLastToken_AreNotEntries()
    {
        var encoder = WordPieceEncoder.FromText(Specials + "hello\n\n\n");
        encoder.VocabularySize.Should().Be(6);
    }

    [Fact]
    public void CrlfLineEnds_AreNotPartOfTheTokens()
    {
        var encoder = WordPieceEncoder.FromText(Specials.Replace("\n", "\r\n") + "hello\r\n");
        encoder.VocabularySize.Should().Be(6);
        encoder.EncodeWithoutSpecialTokens("hello").Should().Equal(5);
        encoder.UnknownTokenId.Should().Be(1);
    }

    [Fact]
    public void ARepeatedToken_MapsToItsLastLine_AsHuggingFace()
    {
        var encoder = WordPieceEncoder.FromText(Specials + "hello\nworld\nhello\n");

        encoder.VocabularySize.Should().Be(8);
        encoder.EncodeWithoutSpecialTokens("hello world").Should().Equal(7, 6);
        encoder.IdToToken(5).Should().Be("hello", "the earlier line keeps its id, which no text produces");
    }

    [Fact]
    public void AUtf8ByteOrderMark_IsNotPartOfTheFirstToken()
    {
        string path = Write("bom.txt", Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(Specials + "hello\n")).ToArray());
        var encoder = WordPieceEncoder.FromFile(path);
        encoder.PaddingTokenId.Should().Be(0);
        encoder.EncodeWithoutSpecialTokens("hello").Should().Equal(5);
    }

    public static TheoryData<string, byte[], string> BadFiles => new()
    {
        { "empty", Array.Empty<byte>(), "*empty*one token per line*" },
        { "blank lines only", Encoding.UTF8.GetBytes("\n\n\r\n"), "*empty*one token per line*" },
        { "binary", new byte[] { 0x50, 0x4B, 0x03, 0x04, 0x00, 0x00, 0x0A, 0x00 }, "*line 1 contains a NUL character*" },
        { "not UTF-8", Encoding.UTF8.GetBytes(Specials).Concat(new byte[] { 0xC3, 0x28, 0x0A }).ToArray(), "*not UTF-8 text*offset*" },
        { "no special tokens", Encoding.UTF8.GetBytes("hello\nworld\n"), "*lacks the special tokens [PAD], [UNK], [CLS], [SEP], [MASK]*" },
        { "no [MASK]", Encoding.UTF8.GetBytes("[PAD]\n[UNK]\n[CLS]\n[SEP]\nhello\n"), "*lacks the special token [MASK]:*" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void ABadVocabularyFile_IsRefusedNamingTheFile(string name, byte[] content, string message)
    {
        string path = Write(name.Replace(' ', '-') + ".txt", content);
        var act = () => WordPieceEncoder.FromFile(path);
        act.Should().Throw<InvalidDataException>().WithMessage($"*'{path}'*").WithMessage(message);
    }

    [Fact]
    public void ABadVocabularyPath_IsRefusedByTheTokenizingEstimator_NamingTheFile()
    {
        string path = Write("special-less.txt", Encoding.UTF8.GetBytes("a\nb\na\n"));
        var act = () => new MLContext().Transforms.Text.TokenizeIntoWordPieces(path);
        act.Should().Throw<InvalidDataException>().WithMessage($"*'{path}'*lacks the special tokens*");
    }

    [Fact]
    public void VocabularyText_WithoutTokens_IsRefused()
    {
        var act = () => WordPieceEncoder.FromText("\n");
        act.Should().Throw<InvalidDataException>().WithMessage("The WordPiece vocabulary text is empty*");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string name, byte[] content)
    {
        string path = Path.Combine(_directory, name);
        File.WriteAllBytes(path, content);
        return path;
    }
}
