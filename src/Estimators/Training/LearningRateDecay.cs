namespace MLNetExtensions.Estimators.Training;

/// <summary>How the learning rate falls after warm-up.</summary>
public enum LearningRateDecay
{
    /// <summary>Constant at the peak learning rate after warm-up.</summary>
    None,

    /// <summary>Straight line from the peak to <see cref="TrainingOptions.FinalLearningRateFraction"/> of it.</summary>
    Linear,

    /// <summary>Half a cosine period from the peak to <see cref="TrainingOptions.FinalLearningRateFraction"/> of it.</summary>
    Cosine,
}
