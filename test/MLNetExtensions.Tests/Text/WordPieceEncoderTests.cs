using MLNetExtensions.Estimators.Data;
using MLNetExtensions.Transforms.Text;

namespace MLNetExtensions.Tests.Text;

/// <summary>Known BERT-uncased tokenizations with the shipped vocabulary.</summary>
public sealed class WordPieceEncoderTests
{
    private static readonly WordPieceEncoder Encoder = WordPieceEncoder.FromFile(ShippedData.BertVocabularyPath);

    [Theory]
    [InlineData("unaffable", "una ##ffa ##ble")]
    [InlineData("Café déjà vu", "cafe de ##ja vu")]
    [InlineData("don't stop-believing 3.14", "don ' t stop - believing 3 . 14")]
    [InlineData("HELLO World", "hello world")]
    [InlineData("中文", "中 文")]
    [InlineData("東京", "東 京")]
    public void Tokenize_MatchesBertUncased(string text, string expected) =>
        string.Join(' ', Encoder.Tokenize(text)).Should().Be(expected);

    [Fact]
    public void Unaffable_HasTheReferenceIds() =>
        Encoder.EncodeWithoutSpecialTokens("unaffable").Should().Equal(14477, 20961, 3468);

    [Fact]
    public void AWordWithNoPieces_IsUnknown()
    {
        var ids = Encoder.EncodeWithoutSpecialTokens("\u2c00\u2c01\u2c02");
        ids.Should().Equal(Encoder.UnknownTokenId);
        Encoder.UnknownTokenId.Should().Be(100);
    }

    [Fact]
    public void SpecialTokens_HaveTheVocabularyIds()
    {
        Encoder.PaddingTokenId.Should().Be(0);
        Encoder.ClassificationTokenId.Should().Be(101);
        Encoder.SeparatorTokenId.Should().Be(102);
        Encoder.MaskTokenId.Should().Be(103);
        Encoder.VocabularySize.Should().Be(30522);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void NullOrEmptyText_GivesClsSep(string? text)
    {
        var ids = new int[6];
        var mask = new int[6];
        var segments = new int[6];
        Encoder.EncodeRow(text, null, 6, ids, mask, segments);
        ids.Should().Equal(101, 102, 0, 0, 0, 0);
        mask.Should().Equal(1, 1, 0, 0, 0, 0);
        segments.Should().Equal(0, 0, 0, 0, 0, 0);
    }

    [Fact]
    public void LongText_IsTruncatedToTheMaximumLength_KeepingSep()
    {
        var ids = new int[5];
        var mask = new int[5];
        var segments = new int[5];
        Encoder.EncodeRow("one two three four five six", null, 5, ids, mask, segments);
        ids.Should().Equal(101, Id("one"), Id("two"), Id("three"), 102);
        mask.Should().OnlyContain(m => m == 1);
    }

    [Theory]
    [InlineData("a b c d", "e f g", "a b c", "e f")]          // both cut: the odd token stays with the longer first text
    [InlineData("a b c d", "e f g h", "a b", "e f g")]        // a tie: the odd token goes to the second
    [InlineData("a b c d e f g h i j", "k l", "a b c", "k l")] // the shorter second text kept whole
    public void PairTruncation_SplitsTheBudget_AsHuggingFacesFastTokenizer(string first, string second, string keptFirst, string keptSecond)
    {
        // maximumLength 8 leaves 5 tokens for the two texts (an odd budget, as the default 128 leaves 125).
        var ids = new int[8];
        Encoder.EncodeRow(first, second, 8, ids, new int[8], new int[8]);
        var expected = new[] { 101 }.Concat(Encoder.EncodeWithoutSpecialTokens(keptFirst)).Append(102)
            .Concat(Encoder.EncodeWithoutSpecialTokens(keptSecond)).Append(102);
        ids.Should().Equal(expected);
    }

    [Fact]
    public void UnassignedCodePoints_AreKept_AsUnknownWords_AndTheCjkRangeFollowsTheFastTokenizer()
    {
        // U+0378 and U+FFFF are unassigned (Cn): the fast tokenizer drops only Cc, Cf and Co characters.
        Encoder.Tokenize("a\u0378b").Should().Equal("[UNK]");
        Encoder.Tokenize("x \uFFFF").Should().Equal("x", "[UNK]");
        // U+FFFE (a byte-swapped byte-order mark), which .NET's normalisation refuses on its own, with accent stripping.
        Encoder.StripAccents.Should().BeTrue();
        Encoder.Tokenize("caf\u00E9 \uFFFE na\u00EFve a\uFFFE").Should().Equal("cafe", "[UNK]", "naive", "[UNK]");
        Encoder.Tokenize("a\u200Bb").Should().Equal(Encoder.Tokenize("ab"), "a zero-width space (Cf) is still dropped");
        // Its extension-E range starts at U+2B920: U+2B820 stays inside the word, U+2B920 is split out.
        Encoder.Tokenize("a\U0002B820").Should().Equal("[UNK]");
        Encoder.Tokenize("a\U0002B920").Should().Equal("a", "[UNK]");
    }

    [Fact]
    public void AccentStripping_FollowsLowerCasing_UnlessSet_AsHuggingFacesStripAccents()
    {
        var cased = WordPieceEncoder.FromFile(ShippedData.BertVocabularyPath, lowerCase: false);
        var casedStripping = WordPieceEncoder.FromFile(ShippedData.BertVocabularyPath, lowerCase: false, stripAccents: true);
        cased.StripAccents.Should().BeFalse();
        casedStripping.StripAccents.Should().BeTrue();
        Encoder.StripAccents.Should().BeTrue("uncased strips accents by default");
        cased.Tokenize("café").Should().NotEqual(casedStripping.Tokenize("café"));
        casedStripping.Tokenize("café").Should().Equal(casedStripping.Tokenize("cafe"));
    }

    [Fact]
    public void Pairs_GetSegmentIds_AndTruncateTheLongerSideFirst()
    {
        var ids = new int[8];
        var mask = new int[8];
        var segments = new int[8];
        Encoder.EncodeRow("one two", "three four five six", 8, ids, mask, segments);
        ids.Should().Equal(101, Id("one"), Id("two"), 102, Id("three"), Id("four"), Id("five"), 102);
        segments.Should().Equal(0, 0, 0, 0, 1, 1, 1, 1);
        mask.Should().OnlyContain(m => m == 1);
    }

    [Fact]
    public void AMissingVocabulary_NamesThePath()
    {
        var act = () => WordPieceEncoder.FromFile("/no/such/vocab.txt");
        act.Should().Throw<FileNotFoundException>().WithMessage("*/no/such/vocab.txt*");
    }

    [Theory]
    [InlineData("good\uD800 day", "good day")]
    [InlineData("good\uDC00day", "goodday")]
    [InlineData("\uDBFF", "")]
    [InlineData("a \uFFFD b", "a b")]
    public void UnpairedSurrogates_AreReadAsU_FFFD_WhichCleaningDrops(string text, string same) =>
        Encoder.EncodeWithoutSpecialTokens(text).Should().Equal(Encoder.EncodeWithoutSpecialTokens(same));

    [Fact]
    public void DottedCapitalI_LowerCasesAsUnicodeDoes() =>
        Encoder.Tokenize("İstanbul").Should().Equal(Encoder.Tokenize("istanbul"));

    [Fact]
    public void SpecialTokensWrittenInTheText_AreKept_AsHuggingFaceAddedTokens()
    {
        Encoder.EncodeWithoutSpecialTokens("hello [MASK] world").Should().Equal(7592, 103, 2088);
        Encoder.EncodeWithoutSpecialTokens("a[SEP]b").Should().Equal(1037, 102, 1038);
        Encoder.Tokenize("[mask]").Should().Equal("[", "mask", "]");
    }

    [Theory]
    [InlineData(true, true, "cafe")]
    [InlineData(true, false, "café")]
    [InlineData(false, true, "Cafe")]
    [InlineData(false, false, "Café")]
    public void LowerCasingAndAccentStripping_FollowTheSettings(bool lowerCase, bool stripAccents, string expected)
    {
        var encoder = WordPieceEncoder.FromText("[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\ncafe\ncafé\nCafe\nCafé\n", lowerCase, stripAccents);
        encoder.Tokenize("Café").Should().Equal(expected);
    }

    [Fact]
    public void TheWordLengthLimit_CountsCodePoints_NotUtf16Units()
    {
        var encoder = WordPieceEncoder.FromText("[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nx\n##\U0001F600\n");
        string longest = "x" + string.Concat(Enumerable.Repeat("\U0001F600", WordPieceEncoder.MaximumCharactersPerWord - 1));
        encoder.EncodeWithoutSpecialTokens(longest).Should().HaveCount(WordPieceEncoder.MaximumCharactersPerWord).And.NotContain(encoder.UnknownTokenId);
        encoder.EncodeWithoutSpecialTokens(longest + "\U0001F600").Should().Equal(encoder.UnknownTokenId);
    }

    [Fact]
    public void AWordWithAPartWithoutPieces_IsOneUnknown_AsAWhole() =>
        Encoder.EncodeWithoutSpecialTokens("hello\u2c00world").Should().Equal(Encoder.UnknownTokenId);

    private static int Id(string word) => Encoder.EncodeWithoutSpecialTokens(word).Single();
}
