namespace MLNetExtensions.Estimators.Sweeps;

/// <summary>Runs every candidate once with its full budget, in proposal order (random and grid search).</summary>
internal static class FullBudgetSweep
{
    public static SweepResult<TSettings> Run<TSettings>(
        ICandidateSource source,
        string name,
        SearchSpace<TSettings> space,
        ITrialRunner runner,
        IProgress<SweepTrial<TSettings>>? progress,
        CancellationToken cancellationToken)
        where TSettings : class, ISweepSettings<TSettings>
    {
        SweepSession<TSettings>.CheckArguments(name, space, runner);
        var session = new SweepSession<TSettings>(name, source.Description, source.Seed, space, source.Propose(space), runner, progress, cancellationToken);
        foreach (var trial in session.Trials)
        {
            if (!session.Run(trial, rung: 0, fraction: 1, lastRung: true))
            {
                session.CancelOpenTrials();
                return session.Finish(cancelled: true);
            }
        }

        return session.Finish(cancelled: false);
    }
}
