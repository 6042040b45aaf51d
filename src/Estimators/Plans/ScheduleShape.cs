namespace MLNetExtensions.Estimators.Plans;

/// <summary>The learning rate after warm-up.</summary>
public enum ScheduleShape
{
    /// <summary>Constant at the peak.</summary>
    Constant,

    /// <summary>Linear decay to the final fraction of the peak.</summary>
    Linear,

    /// <summary>Cosine decay to the final fraction of the peak.</summary>
    Cosine,
}
