namespace MLNetExtensions.Estimators.Sweeps;

/// <summary>Proposes the candidates of a sweep from a search space (<see cref="RandomSearch"/>, <see cref="GridSearch"/>).</summary>
public interface ICandidateSource
{
    /// <summary>A short description for reports, e.g. <c>random(trials=20, seed=1)</c>.</summary>
    string Description { get; }

    /// <summary>The seed the proposals depend on, or null when they depend on none.</summary>
    int? Seed { get; }

    /// <summary>The candidates, deterministically for the same space (and seed).</summary>
    /// <exception cref="InvalidOperationException">The space has no valid candidate.</exception>
    /// <typeparam name="TSettings">The settings type of the space.</typeparam>
    CandidateSet<TSettings> Propose<TSettings>(SearchSpace<TSettings> space)
        where TSettings : class, ISweepSettings<TSettings>;
}
