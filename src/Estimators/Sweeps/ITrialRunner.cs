namespace MLNetExtensions.Estimators.Sweeps;

/// <summary>
/// Runs one trial of a sweep: trains with <see cref="TrialRequest.Plan"/> and reports the validation loss. Supplied
/// by the caller (for example a BERT pre-training run); the tuner calls it for one trial at a time.
/// </summary>
public interface ITrialRunner
{
    /// <summary>Runs the trial.</summary>
    /// <param name="request">The trial: its id, the (budget-scaled) plan, the budget fraction and the rung.</param>
    /// <param name="cancellationToken">Cancels the sweep; throw <see cref="OperationCanceledException"/> when it fires.</param>
    /// <returns>The outcome. Throwing any other exception marks the trial failed with its message.</returns>
    TrialOutcome Run(TrialRequest request, CancellationToken cancellationToken);
}
