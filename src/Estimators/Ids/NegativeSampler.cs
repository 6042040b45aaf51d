using static TorchSharp.torch;

namespace MLNetExtensions.Estimators.Ids;

/// <summary>Draws negative items (indices of trained items, numbered by frequency) in bulk from a generator.</summary>
internal sealed class NegativeSampler : IDisposable
{
    private readonly NegativeSamplerKind _kind;
    private readonly int _itemCount;
    private readonly Tensor? _unigram;

    public NegativeSampler(NegativeSamplerKind kind, long[] frequencies)
    {
        _kind = kind;
        _itemCount = frequencies.Length;
        if (kind == NegativeSamplerKind.Unigram075)
        {
            _unigram = tensor(frequencies.Select(f => Math.Pow(f, 0.75)).ToArray(), ScalarType.Float64);
        }
    }

    /// <summary>A [rows, count] tensor of item indices on <paramref name="device"/>, drawn on the CPU from <paramref name="generator"/>.</summary>
    public Tensor Sample(long rows, int count, Generator generator, Device device)
    {
        if (_kind == NegativeSamplerKind.Unigram075)
        {
            return multinomial(_unigram!, rows * count, replacement: true, generator: generator).view(rows, count).to(device);
        }

        // Log-uniform: rank r = ⌊(n + 1)^u⌋ − 1 for u ~ U[0, 1) has P(r) = log((r + 2) / (r + 1)) / log(n + 1).
        var u = rand(new[] { rows, count }, ScalarType.Float64, generator: generator);
        return (u * Math.Log(_itemCount + 1.0)).exp().floor().sub(1).clamp(0, _itemCount - 1).to(ScalarType.Int64).to(device);
    }

    /// <summary>
    /// log q(j) of every trained item j (float32, [items]): the distribution negatives follow. A skip-gram model trained
    /// against negatives from q scores pairs by roughly log P(j | i) − log q(j) + const (Levy and Goldberg 2014), so the
    /// score plus log q(j) ranks items by how likely they are next to i.
    /// </summary>
    public Tensor LogProbabilities()
    {
        using var scope = NewDisposeScope();
        var probabilities = _kind == NegativeSamplerKind.Unigram075
            ? _unigram! / _unigram!.sum()
            : (arange(_itemCount, ScalarType.Float64) + 2).div(arange(_itemCount, ScalarType.Float64) + 1).log() / Math.Log(_itemCount + 1.0);
        return probabilities.log().to(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    public void Dispose() => _unigram?.Dispose();
}
