using MLNetExtensions.Estimators.Randomness;

namespace MLNetExtensions.Estimators.Data;

/// <summary>
/// A Fisher–Yates shuffle driven by <see cref="SplitMix64"/>, so that a seed gives the same order in every process,
/// on every platform and with every .NET version.
/// </summary>
internal sealed class SeededShuffle
{
    private readonly SplitMix64 _random;

    /// <summary>Starts the generator from <paramref name="seed"/>.</summary>
    public SeededShuffle(int seed) => _random = new SplitMix64(unchecked((ulong)(long)seed));

    /// <summary>Shuffles <paramref name="items"/> in place.</summary>
    public void Shuffle<T>(IList<T> items)
    {
        for (var i = items.Count - 1; i > 0; i--)
        {
            var j = (int)(_random.NextUInt64() % (ulong)(i + 1));
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
