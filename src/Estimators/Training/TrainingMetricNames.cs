namespace MLNetExtensions.Estimators.Training;

/// <summary>Names of the metrics the engine itself computes.</summary>
public static class TrainingMetricNames
{
    /// <summary>Mean loss over the validation rows (the engine's default validation metric).</summary>
    public const string ValidationLoss = "ValidationLoss";
}
