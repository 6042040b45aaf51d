using MLNetExtensions.Estimators.Training;

namespace MLNetExtensions.Estimators.Plans;

/// <summary>One learning-rate schedule over all the steps of a plan: linear warm-up, then a decay shape.</summary>
public sealed class LearningRateScheduleSettings
{
    /// <summary>The peak learning rate.</summary>
    public double PeakLearningRate { get; set; } = 5e-4;

    /// <summary>Warm-up steps from 0 to the peak.</summary>
    public int WarmupSteps { get; set; } = 100;

    /// <summary>The decay after warm-up.</summary>
    public LearningRateDecay Decay { get; set; } = LearningRateDecay.Linear;

    /// <summary>The learning rate at the last step, as a fraction of the peak.</summary>
    public double FinalFraction { get; set; }

    /// <summary>A copy of these settings.</summary>
    public LearningRateScheduleSettings Clone() => (LearningRateScheduleSettings)MemberwiseClone();
}
