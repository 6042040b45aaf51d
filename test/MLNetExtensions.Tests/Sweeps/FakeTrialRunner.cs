using MLNetExtensions.Estimators.Sweeps;

namespace MLNetExtensions.Tests.Sweeps;

/// <summary>
/// A deterministic stand-in for pre-training: the validation loss is a known function of the settings plus a
/// penalty for a small budget; steps are the plan's, seconds are steps / 1000. Records every request.
/// </summary>
internal sealed class FakeTrialRunner : ITrialRunner
{
    private readonly Func<TrialRequest, double> loss;

    public FakeTrialRunner(Func<TrialRequest, double>? baseLoss = null)
    {
        loss = baseLoss ?? DefaultLoss;
    }

    public List<TrialRequest> Requests { get; } = new();

    /// <summary>Called before each run; may throw or cancel.</summary>
    public Action<TrialRequest, CancellationToken>? BeforeRun { get; set; }

    /// <summary>
    /// Best around a peak learning rate of 3e-4 and a start depth of 3; random new layers cost 0.05; a final
    /// all-layers stage gains a little. Smaller budgets add (1 − fraction).
    /// </summary>
    public static double DefaultLoss(TrialRequest request)
    {
        var s = request.Values;
        return 2.0
            + Math.Abs(Math.Log10((double)s["PeakLearningRate"] / 3e-4))
            + (0.1 * Math.Abs((int)s["StartDepth"] - 3))
            + ((string)s["NewLayers"] == nameof(MLNetExtensions.Estimators.Plans.LayerInitialization.Random) ? 0.05 : 0)
            - (0.1 * (double)s["FinalStageFraction"]);
    }

    public TrialOutcome Run(TrialRequest request, CancellationToken cancellationToken)
    {
        Requests.Add(request);
        BeforeRun?.Invoke(request, cancellationToken);
        return new TrialOutcome
        {
            ValidationLoss = loss(request) + (1 - request.BudgetFraction),
            StepsRun = request.Plan.TotalSteps,
            WallSeconds = request.Plan.TotalSteps / 1000.0,
            Metrics = new Dictionary<string, double> { ["accuracy"] = 0.5, ["budget"] = request.BudgetFraction },
        };
    }
}
