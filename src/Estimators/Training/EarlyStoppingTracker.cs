namespace MLNetExtensions.Estimators.Training;

/// <summary>Tracks the best value of the early-stopping metric and the validations since it improved.</summary>
internal sealed class EarlyStoppingTracker
{
    private readonly EarlyStoppingOptions _options;

    public EarlyStoppingTracker(EarlyStoppingOptions options) => _options = options;

    public double? Best { get; private set; }

    public long? BestStep { get; private set; }

    public int ValidationsWithoutImprovement { get; private set; }

    public bool ShouldStop => ValidationsWithoutImprovement >= _options.Patience;

    /// <summary>Restores the tracker from a checkpoint.</summary>
    public void Restore(double? best, long? bestStep, int validationsWithoutImprovement)
    {
        Best = best;
        BestStep = bestStep;
        ValidationsWithoutImprovement = validationsWithoutImprovement;
    }

    /// <summary>Records a validation; returns true when it is a new best.</summary>
    public bool Record(double value, long step)
    {
        bool improved = Best is not double best
            || (_options.LowerIsBetter ? value < best - _options.MinDelta : value > best + _options.MinDelta);
        if (double.IsNaN(value))
        {
            improved = false;
        }

        if (improved)
        {
            Best = value;
            BestStep = step;
            ValidationsWithoutImprovement = 0;
        }
        else
        {
            ValidationsWithoutImprovement++;
        }

        return improved;
    }
}
