namespace MLNetExtensions.Estimators.Sweeps;

/// <summary>An <see cref="ITrialRunner"/> made from a function.</summary>
public sealed class DelegateTrialRunner : ITrialRunner
{
    private readonly Func<TrialRequest, CancellationToken, TrialOutcome> run;

    /// <summary>A runner that calls <paramref name="run"/>.</summary>
    /// <param name="run">Runs one trial.</param>
    public DelegateTrialRunner(Func<TrialRequest, CancellationToken, TrialOutcome> run)
    {
        ArgumentNullException.ThrowIfNull(run);
        this.run = run;
    }

    /// <inheritdoc />
    public TrialOutcome Run(TrialRequest request, CancellationToken cancellationToken) => run(request, cancellationToken);
}
