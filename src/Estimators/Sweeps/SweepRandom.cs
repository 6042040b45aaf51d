using MLNetExtensions.Estimators.Randomness;

namespace MLNetExtensions.Estimators.Sweeps;

/// <summary>
/// Uniform doubles and integers from <see cref="SplitMix64"/> for sampling search spaces. Its sequence is fixed by
/// this code, not by the runtime, so a sweep's seed gives the same candidates on every .NET version and platform.
/// </summary>
internal sealed class SweepRandom
{
    private readonly SplitMix64 _bits;

    /// <summary>A generator whose sequence is fixed by <paramref name="seed"/>.</summary>
    public SweepRandom(int seed)
    {
        _bits = new SplitMix64(unchecked((ulong)(uint)seed * 0xD1B5_4A32_D192_ED03UL) ^ 0x5357_4545_5053UL); // "SWEEPS"
    }

    /// <summary>A uniform number in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (_bits.NextUInt64() >> 11) * (1.0 / (1UL << 53));

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
            value = _bits.NextUInt64();
        }
        while (value >= limit);
        return (int)(value % bound);
    }
}
