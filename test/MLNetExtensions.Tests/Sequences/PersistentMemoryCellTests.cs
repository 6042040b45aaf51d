using MLNetExtensions.Estimators.Sequences;
using MLNetExtensions.Transforms.Sequences;
using static TorchSharp.torch;

namespace MLNetExtensions.Tests.Sequences;

/// <summary>The cell on padded batches: masking, addressing, the mixture option, LSTM/GRU kinds and k-means.</summary>
public sealed class PersistentMemoryCellTests
{
    private const int StepSize = 3;
    private static readonly int[] Lengths = { 2, 5, 3 };

    public static TheoryData<RnnCellKind, bool> Cells => new()
    {
        { RnnCellKind.PersistentMemory, false },
        { RnnCellKind.PersistentMemory, true },
        { RnnCellKind.PersistentMemoryMixture, false },
        { RnnCellKind.PersistentMemoryMixture, true },
        { RnnCellKind.Lstm, false },
        { RnnCellKind.Gru, false },
    };

    [Theory]
    [MemberData(nameof(Cells))]
    public void PaddingValues_DoNotChangeTheOutputsOrTheAddressingOfRealSteps(RnnCellKind kind, bool readsHidden)
    {
        using var scope = NewDisposeScope();
        using var model = Model(kind, readsHidden);
        var (x, lengths) = Batch(seed: 1);
        var garbage = x.clone();
        var padding = arange(5).unsqueeze(0).ge(lengths.unsqueeze(1)).unsqueeze(2).expand_as(x);
        garbage.masked_fill_(padding, 1e3f);

        using var noGrad = no_grad();
        var clean = model.Run(x, lengths, keepAddressing: true);
        var noisy = model.Run(garbage, lengths, keepAddressing: true);

        Bytes(noisy.Outputs).Should().Equal(Bytes(clean.Outputs));
        if (model.Config.HasMemory)
        {
            Bytes(noisy.Addressing!).Should().Equal(Bytes(clean.Addressing!));
        }
        else
        {
            clean.Addressing.Should().BeNull();
        }
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public void ABatchOfVariableLengths_EqualsRunningEachSequenceAlone(RnnCellKind kind, bool readsHidden)
    {
        using var scope = NewDisposeScope();
        using var model = Model(kind, readsHidden);
        var (x, lengths) = Batch(seed: 2);
        using var noGrad = no_grad();
        var batched = model.Run(x, lengths, keepAddressing: true);
        for (int i = 0; i < Lengths.Length; i++)
        {
            var alone = model.Run(x[i].narrow(0, 0, Lengths[i]).unsqueeze(0), tensor(new long[] { Lengths[i] }), keepAddressing: true);
            alone.Outputs[0].allclose(batched.Outputs[i], rtol: 1e-5, atol: 1e-6).Should().BeTrue($"row {i} alone must match its row in the batch");
            if (model.Config.HasMemory)
            {
                alone.Addressing![0].allclose(batched.Addressing![i].narrow(0, 0, Lengths[i]), rtol: 1e-5, atol: 1e-6).Should().BeTrue();
            }
        }
    }

    [Theory]
    [InlineData(RnnCellKind.PersistentMemory)]
    [InlineData(RnnCellKind.PersistentMemoryMixture)]
    public void Addressing_SumsToOneAtEveryRealStep_AndIsZeroAtPadding(RnnCellKind kind)
    {
        using var scope = NewDisposeScope();
        using var model = Model(kind, readsHidden: false);
        var (x, lengths) = Batch(seed: 3);
        using var noGrad = no_grad();
        var sums = model.Run(x, lengths, keepAddressing: true).Addressing!.sum(2);
        for (int i = 0; i < Lengths.Length; i++)
        {
            var row = sums[i].data<float>().ToArray();
            row.Take(Lengths[i]).Should().AllSatisfy(s => s.Should().BeApproximately(1f, 1e-5f));
            row.Skip(Lengths[i]).Where(s => s != 0f).Should().BeEmpty();
        }
    }

    [Fact]
    public void TheMixtureHasKTransitions_AndTheGruThreeGatesPerUnit()
    {
        using var memory = Model(RnnCellKind.PersistentMemory, readsHidden: false);
        using var mixture = Model(RnnCellKind.PersistentMemoryMixture, readsHidden: false);
        using var lstm = Model(RnnCellKind.Lstm, readsHidden: false);
        using var gru = Model(RnnCellKind.Gru, readsHidden: false);
        Shape(mixture, "recurrent.weight").Should().Equal(4L * 8 * 4, 8);
        Shape(memory, "rnn.weight_hh_l0").Should().Equal(4L * 8, 8);
        Shape(memory, "rnn.weight_ih_l0").Should().Equal(new long[] { 4L * 8, StepSize + 6 }, "the read r_t enters every gate");
        Shape(memory, "memory").Should().Equal(4, 6);
        Shape(gru, "rnn.weight_hh_l0").Should().Equal(3L * 8, 8);
        lstm.named_parameters().Select(p => p.name).Should().NotContain(new[] { "memory", "encoder.weight" });
        lstm.Memory.Should().BeNull();
    }

    [Fact]
    public void FixedSharpness_ScalesTheSimilarities()
    {
        using var scope = NewDisposeScope();
        var config = Config(RnnCellKind.PersistentMemory, false) with { Sharpness = 50, LearnSharpness = false };
        using var model = new PersistentMemoryRnn(config, new Generator(5));
        model.Sharpness.Should().BeApproximately(50, 1e-3);
        var (x, lengths) = Batch(seed: 4);
        using var noGrad = no_grad();
        var sharp = model.Run(x, lengths, keepAddressing: true).Addressing!;
        using var soft = new PersistentMemoryRnn(config with { Sharpness = 0.01 }, new Generator(5));
        var flat = soft.Run(x, lengths, keepAddressing: true).Addressing!;
        sharp.max().item<float>().Should().BeGreaterThan(flat.max().item<float>());
        flat[0, 0].data<float>().ToArray().Should().AllSatisfy(a => a.Should().BeApproximately(0.25f, 5e-3f), "γ → 0 addresses every slot equally");
    }

    [Fact]
    public void KMeans_FindsTheCentresOfWellSeparatedClusters()
    {
        using var scope = NewDisposeScope();
        var centres = new[] { new[] { 0f, 0f }, new[] { 10f, 0f }, new[] { 0f, 10f } };
        var random = new Random(3);
        var points = Enumerable.Range(0, 90).SelectMany(i => centres[i % 3].Select(c => c + (float)(random.NextDouble() - 0.5))).ToArray();
        var found = MemoryInitializer.KMeans(tensor(points, new long[] { 90, 2 }), 3, 20, new Random(1));
        var rows = Enumerable.Range(0, 3).Select(k => found[k].data<float>().ToArray()).OrderBy(r => r[0] + (2 * r[1])).ToList();
        var expected = centres.OrderBy(r => r[0] + (2 * r[1])).ToList();
        for (int k = 0; k < 3; k++)
        {
            rows[k][0].Should().BeApproximately(expected[k][0], 0.3f);
            rows[k][1].Should().BeApproximately(expected[k][1], 0.3f);
        }
    }

    [Fact]
    public void ZeroSlots_AreRejectedNamingTheSetting()
    {
        var act = () => new PersistentMemoryRnn(Config(RnnCellKind.PersistentMemory, false) with { MemorySlots = 0 });
        act.Should().Throw<ArgumentOutOfRangeException>().Where(e => e.ParamName == "MemorySlots").WithMessage("*MemorySlots must be at least 1*");
    }

    internal static PersistentMemoryRnnConfig Config(RnnCellKind kind, bool readsHidden) => new()
    {
        StepSize = StepSize,
        HiddenSize = 8,
        Outputs = 2,
        CellKind = kind,
        MemorySlots = 4,
        MemoryWidth = 6,
        EncoderReadsHiddenState = readsHidden,
    };

    private static PersistentMemoryRnn Model(RnnCellKind kind, bool readsHidden) =>
        new(Config(kind, readsHidden), new Generator(7));

    private static (Tensor X, Tensor Lengths) Batch(int seed)
    {
        using var generator = new Generator((ulong)seed);
        var x = randn(new long[] { Lengths.Length, 5, StepSize }, generator: generator);
        var lengths = tensor(Lengths.Select(l => (long)l).ToArray());
        var padding = arange(5).unsqueeze(0).ge(lengths.unsqueeze(1)).unsqueeze(2).expand_as(x);
        return (x.masked_fill(padding, 0f), lengths);
    }

    private static byte[] Bytes(Tensor t) => t.contiguous().bytes.ToArray();

    private static long[] Shape(PersistentMemoryRnn model, string name) =>
        model.named_parameters().Single(p => p.name == name).parameter.shape;
}
