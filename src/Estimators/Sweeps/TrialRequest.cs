using MLNetExtensions.Estimators.Plans;

namespace MLNetExtensions.Estimators.Sweeps;

/// <summary>
/// What an <see cref="ITrialRunner"/> is asked to run: a plan, complete in itself (stages, schedules, and for
/// coarse-refined training its relaxation), whichever search space proposed it.
/// </summary>
public sealed class TrialRequest
{
    /// <summary>The trial's id (from 1, in proposal order); successive halving asks for the same id once per rung.</summary>
    public required int TrialId { get; init; }

    /// <summary>The rung, from 0; searches without halving have one rung.</summary>
    public required int Rung { get; init; }

    /// <summary>The fraction of the full budget this run has, in (0, 1].</summary>
    public required double BudgetFraction { get; init; }

    /// <summary>The plan to train: the candidate's plan with its steps scaled by <see cref="BudgetFraction"/> (stage proportions kept). A copy the runner may keep.</summary>
    public required TrainingPlan Plan { get; init; }

    /// <summary>The candidate's settings as a flat name → value map.</summary>
    public required IReadOnlyDictionary<string, object> Values { get; init; }
}
