namespace MLNetExtensions.Estimators.Sweeps;

/// <summary>Runs a sweep: proposes candidates from a search space and runs their trials, one at a time.</summary>
public interface ISearchStrategy
{
    /// <summary>A short description for reports.</summary>
    string Description { get; }

    /// <summary>
    /// Runs the sweep. A trial whose runner throws is recorded as failed and the sweep goes on; cancellation stops
    /// the sweep cleanly and returns the trials so far (<see cref="SweepResult{TSettings}.Cancelled"/>).
    /// </summary>
    /// <param name="name">The sweep's name (reports, file names).</param>
    /// <param name="space">The search space.</param>
    /// <param name="runner">Runs one trial.</param>
    /// <param name="progress">
    /// Told, on the sweep's thread, after each run of a trial and when successive halving stops one; a trial still in
    /// play is reported as <see cref="TrialStatus.InProgress"/>. Null for none.
    /// </param>
    /// <param name="cancellationToken">Stops the sweep.</param>
    /// <returns>Every trial that ran, the ranking and the best settings.</returns>
    /// <exception cref="InvalidOperationException">The space has no valid candidate.</exception>
    /// <typeparam name="TSettings">The settings type of the space (MSLT, CoRe, …).</typeparam>
    SweepResult<TSettings> Run<TSettings>(string name, SearchSpace<TSettings> space, ITrialRunner runner, IProgress<SweepTrial<TSettings>>? progress = null, CancellationToken cancellationToken = default)
        where TSettings : class, ISweepSettings<TSettings>;
}
