using System.Text.Json;
using MLNetExtensions.Estimators.Data;
using MLNetExtensions.Transforms.Text;

namespace MLNetExtensions.Tests.Text;

/// <summary>
/// Hugging Face BertTokenizer's ids (data/tokenizer-golden/, bert-base-uncased settings) reproduced exactly: the
/// 3,000 UCI sentences and 27 hard strings, through both the encoder and the row layout the transform uses.
/// </summary>
public sealed class TokenizerGoldenTests
{
    private static readonly WordPieceEncoder Encoder = WordPieceEncoder.FromFile(ShippedData.BertVocabularyPath, lowerCase: true, stripAccents: true);

    [Theory]
    [InlineData("uci-sentences.jsonl", 3000)]
    [InlineData("hard-strings.jsonl", 27)]
    public void EveryGoldenCase_MatchesHuggingFace(string file, int expectedCases)
    {
        var cases = Read(file);
        cases.Should().HaveCount(expectedCases);
        var mismatches = cases
            .Where(c => !Encode(c.Text).SequenceEqual(c.Ids))
            .Select(c => $"{JsonSerializer.Serialize(c.Text)}: expected [{string.Join(",", c.Ids)}] got [{string.Join(",", Encode(c.Text))}]")
            .ToList();
        mismatches.Should().BeEmpty($"{mismatches.Count} of {cases.Count} cases differ from Hugging Face");
    }

    [Fact]
    public void EncodeRow_LaysOutTheGoldenIds()
    {
        foreach (var golden in Read("hard-strings.jsonl").Where(c => c.Ids.Length <= 64))
        {
            var ids = new int[64];
            var mask = new int[64];
            var segments = new int[64];
            Encoder.EncodeRow(golden.Text, null, 64, ids, mask, segments);
            ids.Take(golden.Ids.Length).Should().Equal(golden.Ids, golden.Text);
            ids.Skip(golden.Ids.Length).Should().OnlyContain(id => id == Encoder.PaddingTokenId);
            mask.Count(m => m == 1).Should().Be(golden.Ids.Length);
        }
    }

    private static int[] Encode(string text) =>
        new[] { Encoder.ClassificationTokenId }.Concat(Encoder.EncodeWithoutSpecialTokens(text)).Append(Encoder.SeparatorTokenId).ToArray();

    internal static IReadOnlyList<GoldenCase> Read(string file) =>
        File.ReadLines(Path.Combine(ShippedData.DataDirectory, "tokenizer-golden", file))
            .Where(line => line.Length > 0)
            .Select(line => JsonSerializer.Deserialize<GoldenCase>(line, new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!)
            .ToList();

    internal sealed record GoldenCase(string Text, int[] Ids);
}
