namespace MLNetExtensions.Estimators.Training;

/// <summary>
/// Derives independent seeds from the run's seed and a counter (step, epoch) with the SplitMix64 finaliser, so
/// every random choice of the engine is a pure function of (seed, purpose, index).
/// </summary>
internal static class SeedDerivation
{
    private const ulong StepPurpose = 0x53_54_45_50UL;        // "STEP"
    private const ulong EpochPurpose = 0x45_50_4F_43_48UL;    // "EPOCH"
    private const ulong ValidationPurpose = 0x56_41_4C_49UL;  // "VALI"
    private const ulong RankPurpose = 0x52_41_4E_4BUL;        // "RANK"

    /// <summary>The torch seed of update <paramref name="step"/>.</summary>
    public static long ForStep(int seed, long step) => NonNegative(Derive(seed, StepPurpose, step));

    /// <summary>The torch seed of a validation run at update count <paramref name="step"/>.</summary>
    public static long ForValidation(int seed, long step) => NonNegative(Derive(seed, ValidationPurpose, step));

    /// <summary>The shuffle seed of epoch <paramref name="epoch"/>.</summary>
    public static int ForEpoch(int seed, long epoch) => (int)(Derive(seed, EpochPurpose, epoch) & 0x7FFF_FFFF);

    /// <summary>The seed rank <paramref name="rank"/> of a data-parallel job draws its step randomness from.</summary>
    public static int ForRank(int seed, int rank) => (int)(Derive(seed, RankPurpose, rank) & 0x7FFF_FFFF);

    private static long NonNegative(ulong value) => (long)(value & 0x7FFF_FFFF_FFFF_FFFFUL);

    private static ulong Derive(int seed, ulong purpose, long index)
    {
        ulong state = Mix(unchecked((ulong)(uint)seed) ^ Mix(purpose));
        return Mix(unchecked(state + (ulong)index * 0x9E37_79B9_7F4A_7C15UL));
    }

    private static ulong Mix(ulong z)
    {
        unchecked
        {
            z += 0x9E37_79B9_7F4A_7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58_476D_1CE4_E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D0_49BB_1331_11EBUL;
            return z ^ (z >> 31);
        }
    }
}
