namespace MLNetExtensions.Estimators.Sweeps;

/// <summary>
/// A small seeded generator (SplitMix64) for sampling search spaces. Its sequence is fixed by this code, not by the
/// runtime, so a sweep's seed gives the same candidates on every .NET version and platform.
/// </summary>
internal sealed class SweepRandom
{
    private ulong state;

    /// <summary>A generator whose sequence is fixed by <paramref name="seed"/>.</summary>
    public SweepRandom(int seed)
    {
        state = unchecked((ulong)(uint)seed * 0xD1B5_4A32_D192_ED03UL) ^ 0x5357_4545_5053UL; // "SWEEPS"
    }

    /// <summary>A uniform number in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniform integer in [0, <paramref name="count"/>).</summary>
    public int NextInt(int count)
    {
        if (count <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, "The count must be positive.");
        }

        // Rejection sampling keeps every value equally likely.
        ulong bound = (ulong)count;
        ulong limit = ulong.MaxValue - (ulong.MaxValue % bound);
        ulong value;
        do
        {
            value = NextUInt64();
        }
        while (value >= limit);
        return (int)(value % bound);
    }

    private ulong NextUInt64()
    {
        unchecked
        {
            state += 0x9E37_79B9_7F4A_7C15UL;
            ulong z = state;
            z = (z ^ (z >> 30)) * 0xBF58_476D_1CE4_E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D0_49BB_1331_11EBUL;
            return z ^ (z >> 31);
        }
    }
}
