namespace MLNetExtensions.Estimators.Data;

/// <summary>
/// A Fisher–Yates shuffle driven by a SplitMix64 generator implemented here, so that a seed gives the same order
/// in every process, on every platform and with every .NET version (unlike <see cref="Random"/>, whose algorithm
/// is an implementation detail).
/// </summary>
internal sealed class SeededShuffle
{
    private ulong _state;

    /// <summary>Starts the generator from <paramref name="seed"/>.</summary>
    public SeededShuffle(int seed) => _state = unchecked((ulong)(long)seed);

    /// <summary>Shuffles <paramref name="items"/> in place.</summary>
    public void Shuffle<T>(IList<T> items)
    {
        for (var i = items.Count - 1; i > 0; i--)
        {
            var j = (int)(NextUInt64() % (ulong)(i + 1));
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>The next 64 random bits (SplitMix64).</summary>
    public ulong NextUInt64()
    {
        unchecked
        {
            _state += 0x9E3779B97F4A7C15UL;
            var z = _state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }
}
