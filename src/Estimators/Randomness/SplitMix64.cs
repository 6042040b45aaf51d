namespace MLNetExtensions.Estimators.Randomness;

/// <summary>
/// The SplitMix64 generator, implemented here so that a seed gives the same sequence in every process, on every
/// platform and with every .NET version (unlike <see cref="Random"/>, whose algorithm is an implementation detail).
/// Shared by the data splits (<c>SeededShuffle</c>) and the sweeps' sampling (<c>SweepRandom</c>).
/// </summary>
internal sealed class SplitMix64
{
    private ulong _state;

    /// <summary>Starts the generator from <paramref name="state"/>.</summary>
    public SplitMix64(ulong state) => _state = state;

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        unchecked
        {
            _state += 0x9E37_79B9_7F4A_7C15UL;
            ulong z = _state;
            z = (z ^ (z >> 30)) * 0xBF58_476D_1CE4_E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D0_49BB_1331_11EBUL;
            return z ^ (z >> 31);
        }
    }
}
