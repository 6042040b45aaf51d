using Microsoft.ML;
using MLNetExtensions.Estimators.Bert;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExtensions.Tests.Pretraining;

public sealed class MaskedLanguageModelMaskingTests
{
    private const int Mask = 103;
    private static readonly MaskedLanguageModelMasking Masking = new(1000, Mask, new[] { 0, 101, 102 });

    [Fact]
    public void Masking_Follows15PercentAnd80_10_10()
    {
        using var scope = NewDisposeScope();
        var ids = randint(200, 1000, new long[] { 64, 128 }, generator: new Generator(1), dtype: int64);
        ids[TensorIndex.Colon, 0] = 101;
        ids[TensorIndex.Colon, 100] = 102;
        ids[TensorIndex.Colon, TensorIndex.Slice(101)] = 0;
        var attention = ones_like(ids);
        attention[TensorIndex.Colon, TensorIndex.Slice(101)] = 0;

        var (input, labels) = Masking.Apply(ids, attention, new Generator(2));

        var chosen = labels.ne(MaskedLanguageModelMasking.IgnoredLabel);
        double candidates = 64 * 99;
        double rate = chosen.sum().item<long>() / candidates;
        rate.Should().BeApproximately(0.15, 0.01);
        chosen[TensorIndex.Colon, 0].any().item<bool>().Should().BeFalse("[CLS] is never chosen");
        chosen[TensorIndex.Colon, TensorIndex.Slice(100)].any().item<bool>().Should().BeFalse("[SEP] and padding are never chosen");
        labels.masked_select(chosen).eq(ids.masked_select(chosen)).all().item<bool>().Should().BeTrue();

        double total = chosen.sum().item<long>();
        double masked = input.eq(Mask).logical_and(chosen).sum().item<long>() / total;
        double kept = input.eq(ids).logical_and(chosen).sum().item<long>() / total;
        masked.Should().BeApproximately(0.8, 0.03);
        kept.Should().BeApproximately(0.1 + (0.1 / 1000), 0.03);
        input.masked_select(chosen.logical_not()).eq(ids.masked_select(chosen.logical_not())).all().item<bool>().Should().BeTrue("unchosen tokens are untouched");
    }

    [Fact]
    public void TheSameSeed_GivesTheSameMasks_AndAnotherSeedOthers()
    {
        using var scope = NewDisposeScope();
        var ids = randint(200, 1000, new long[] { 8, 32 }, generator: new Generator(1), dtype: int64);
        var attention = ones_like(ids);
        var (a, la) = Masking.Apply(ids, attention, new Generator(5));
        var (b, lb) = Masking.Apply(ids, attention, new Generator(5));
        var (c, _) = Masking.Apply(ids, attention, new Generator(6));
        a.eq(b).all().item<bool>().Should().BeTrue();
        la.eq(lb).all().item<bool>().Should().BeTrue();
        a.eq(c).all().item<bool>().Should().BeFalse();
    }

    [Fact]
    public void ATinyBatch_AlwaysHasAMaskedPosition()
    {
        using var scope = NewDisposeScope();
        var ids = tensor(new long[] { 101, 500, 102 }).unsqueeze(0);
        for (int seed = 0; seed < 20; seed++)
        {
            var (_, labels) = Masking.Apply(ids, ones_like(ids), new Generator((ulong)seed));
            labels.ne(MaskedLanguageModelMasking.IgnoredLabel).sum().item<long>().Should().BeGreaterThan(0);
        }
    }
    [Fact]
    public void ARowWithNoToken_IsAnError_NamingTheColumn_NotACrash()
    {
        var mlContext = new MLContext(seed: 1);
        var rows = new[] { new TokenRow { TokenIds = new[] { 101, 7, 102 } }, new TokenRow { TokenIds = new[] { 0, 0 } }, new TokenRow { TokenIds = Array.Empty<int>() } };
        var view = mlContext.Data.LoadFromEnumerable(rows);
        using var cursor = view.GetRowCursor(view.Schema);
        var builder = new TokenSequenceBatchBuilder(cursor, nameof(TokenRow.TokenIds), paddingId: 0, CPU);
        cursor.MoveNext().Should().BeTrue();
        builder.Append();
        cursor.MoveNext().Should().BeTrue();
        builder.Invoking(b => b.Append()).Should().Throw<InvalidOperationException>().WithMessage("*'TokenIds'*no token*padding id 0*");
        cursor.MoveNext().Should().BeTrue();
        builder.Invoking(b => b.Append()).Should().Throw<InvalidOperationException>().WithMessage("*'TokenIds'*no token*");
    }

    private sealed class TokenRow
    {
        public int[] TokenIds { get; set; } = Array.Empty<int>();
    }
}
