namespace MLNetExtensions.Estimators.Training;

/// <summary>
/// Linear warm-up followed by a constant, linear or cosine decay, as a function of the 0-based update index
/// <c>s</c> (the number of updates already applied when the update is made).
/// </summary>
/// <remarks>
/// With W warm-up updates and T updates in total:
/// <list type="bullet">
/// <item><description>warm-up, <c>s &lt; W</c>: factor = (s + 1) / W, so the first update is not wasted at 0 and update W − 1 is at the peak;</description></item>
/// <item><description>decay, <c>s ≥ W</c>: with p = (s − W) / (T − W) ∈ [0, 1), linear factor = f + (1 − f)(1 − p), cosine factor = f + (1 − f)(1 + cos πp) / 2, where f is the final fraction;</description></item>
/// <item><description>beyond T (<c>s ≥ T</c>) the factor stays at f (1 without decay).</description></item>
/// </list>
/// </remarks>
public sealed class LearningRateSchedule
{
    /// <summary>Creates a schedule.</summary>
    /// <param name="baseLearningRate">The peak learning rate (≥ 0).</param>
    /// <param name="totalSteps">Total number of updates (≥ 1).</param>
    /// <param name="warmupSteps">Warm-up updates, 0 ≤ W ≤ <paramref name="totalSteps"/>.</param>
    /// <param name="decay">The decay after warm-up.</param>
    /// <param name="finalFraction">The fraction of the peak the decay ends at, in [0, 1].</param>
    public LearningRateSchedule(double baseLearningRate, long totalSteps, long warmupSteps = 0, LearningRateDecay decay = LearningRateDecay.Linear, double finalFraction = 0)
    {
        if (!double.IsFinite(baseLearningRate) || baseLearningRate < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(baseLearningRate), baseLearningRate, "The learning rate must be a finite number ≥ 0.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(totalSteps, 1);
        if (warmupSteps < 0 || warmupSteps > totalSteps)
        {
            throw new ArgumentOutOfRangeException(nameof(warmupSteps), warmupSteps, $"Warm-up steps must be in [0, {totalSteps}] (the total number of steps).");
        }

        if (!(finalFraction >= 0 && finalFraction <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(finalFraction), finalFraction, "The final fraction must be in [0, 1].");
        }

        BaseLearningRate = baseLearningRate;
        TotalSteps = totalSteps;
        WarmupSteps = warmupSteps;
        Decay = decay;
        FinalFraction = finalFraction;
    }

    /// <summary>The peak learning rate.</summary>
    public double BaseLearningRate { get; }

    /// <summary>Total number of updates.</summary>
    public long TotalSteps { get; }

    /// <summary>Warm-up updates.</summary>
    public long WarmupSteps { get; }

    /// <summary>The decay after warm-up.</summary>
    public LearningRateDecay Decay { get; }

    /// <summary>The fraction of the peak the decay ends at.</summary>
    public double FinalFraction { get; }

    /// <summary>The multiplier of <see cref="BaseLearningRate"/> for update <paramref name="step"/>.</summary>
    /// <param name="step">The 0-based update index.</param>
    /// <returns>A factor in [0, 1].</returns>
    public double FactorAt(long step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        if (step < WarmupSteps)
        {
            return (double)(step + 1) / WarmupSteps;
        }

        if (Decay == LearningRateDecay.None)
        {
            return 1.0;
        }

        if (step >= TotalSteps)
        {
            return FinalFraction;
        }

        double progress = (double)(step - WarmupSteps) / (TotalSteps - WarmupSteps);
        double shape = Decay switch
        {
            LearningRateDecay.Linear => 1.0 - progress,
            LearningRateDecay.Cosine => 0.5 * (1.0 + Math.Cos(Math.PI * progress)),
            _ => throw new InvalidOperationException($"Unknown decay {Decay}."),
        };
        return FinalFraction + (1.0 - FinalFraction) * shape;
    }

    /// <summary>The learning rate of update <paramref name="step"/>.</summary>
    /// <param name="step">The 0-based update index.</param>
    /// <returns>The learning rate before per-group multipliers.</returns>
    public double LearningRateAt(long step) => BaseLearningRate * FactorAt(step);
}
