using MLNetExtensions.Estimators.Bert;
using MLNetExtensions.Estimators.Data;
using MLNetExtensions.Transforms.Text;

namespace MLNetExtensions.Tests.Pretraining;

public sealed class SentencePackerTests
{
    private static readonly WordPieceEncoder Encoder = WordPieceEncoder.FromFile(ShippedData.BertVocabularyPath);

    [Fact]
    public void Sentences_ArePackedUpToTheMaximumLength_WithClsAndSep()
    {
        var packer = new SentencePacker(Encoder, 8);
        var sequences = packer.Pack(new[] { "one two", "three four", "", null, "five six seven eight nine ten eleven" }).ToList();

        sequences.Should().OnlyContain(s => s.Length <= 8 && s[0] == 101 && s[s.Length - 1] == 102);
        Decode(sequences[0]).Should().Be("one two three four");
        Decode(sequences[1]).Should().Be("five six seven eight nine ten");
        Decode(sequences[2]).Should().Be("eleven");
        sequences.Should().HaveCount(3);
    }

    [Fact]
    public void ATooSmallLength_IsNamed()
    {
        var act = () => new SentencePacker(Encoder, 2);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*maximum sequence length*");
    }

    private static string Decode(int[] sequence) =>
        string.Join(' ', sequence.Skip(1).SkipLast(1).Select(id => Encoder.IdToToken(id)));
}
