using System.Globalization;

namespace MLNetExtensions.Estimators.Sweeps;

/// <summary>
/// Successive halving over the candidates of a source (random or grid): every candidate first runs with a small
/// budget (its plan's steps scaled down, stage proportions kept); the best 1/η by validation loss run again with
/// η times the budget, and so on until the full budget. Each rung's run starts from scratch with the scaled plan
/// (its learning-rate schedule spans the scaled steps). Ties are broken by trial id. When one candidate is left
/// before the last rung it goes straight to the full budget.
/// </summary>
public sealed class SuccessiveHalving : ISearchStrategy
{
    /// <summary>Successive halving of the candidates of <paramref name="candidates"/>.</summary>
    /// <param name="candidates">Proposes the candidates (e.g. <see cref="RandomSearch"/> or <see cref="GridSearch"/>).</param>
    /// <param name="eta">The reduction factor: 1/η of the candidates advance, with η times the budget; ≥ 2.</param>
    /// <param name="minBudgetFraction">
    /// The smallest budget, in (0, 1]. The rungs' budgets are η^−R, …, η^−1, 1 with the largest R for which
    /// η^−R ≥ this fraction; 1 gives a single full-budget rung.
    /// </param>
    public SuccessiveHalving(ICandidateSource candidates, int eta = 3, double minBudgetFraction = 1.0 / 9)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentOutOfRangeException.ThrowIfLessThan(eta, 2);
        if (!double.IsFinite(minBudgetFraction) || minBudgetFraction <= 0 || minBudgetFraction > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(minBudgetFraction), minBudgetFraction, "The minimum budget fraction must be in (0, 1].");
        }

        Candidates = candidates;
        Eta = eta;
        MinBudgetFraction = minBudgetFraction;
        int rungs = (int)Math.Floor((Math.Log(1 / minBudgetFraction) / Math.Log(eta)) + 1e-9) + 1;
        RungBudgets = Enumerable.Range(0, rungs).Select(k => Math.Pow(eta, k - (rungs - 1))).ToArray();
    }

    /// <summary>Proposes the candidates.</summary>
    public ICandidateSource Candidates { get; }

    /// <summary>The reduction factor η.</summary>
    public int Eta { get; }

    /// <summary>The smallest budget fraction asked for.</summary>
    public double MinBudgetFraction { get; }

    /// <summary>The budget fraction of each rung, smallest first; the last is 1.</summary>
    public IReadOnlyList<double> RungBudgets { get; }

    /// <inheritdoc />
    public string Description => string.Create(
        CultureInfo.InvariantCulture,
        $"successive-halving(eta={Eta}, budgets=[{string.Join(", ", RungBudgets.Select(b => b.ToString("G4", CultureInfo.InvariantCulture)))}]) of {Candidates.Description}");

    /// <inheritdoc />
    public SweepResult<TSettings> Run<TSettings>(string name, SearchSpace<TSettings> space, ITrialRunner runner, IProgress<SweepTrial<TSettings>>? progress = null, CancellationToken cancellationToken = default)
        where TSettings : class, ISweepSettings<TSettings>
    {
        SweepSession<TSettings>.CheckArguments(name, space, runner);
        var session = new SweepSession<TSettings>(name, Description, Candidates.Seed, space, Candidates.Propose(space), runner, progress, cancellationToken);
        int last = RungBudgets.Count - 1;
        IReadOnlyList<TrialState<TSettings>> alive = session.Trials;
        int rung = 0;
        while (alive.Count > 0)
        {
            if (alive.Count == 1)
            {
                rung = last;
            }

            foreach (var trial in alive)
            {
                if (!session.Run(trial, rung, RungBudgets[rung], lastRung: rung == last))
                {
                    session.CancelOpenTrials();
                    return session.Finish(cancelled: true);
                }
            }

            if (rung == last)
            {
                break;
            }

            var finished = alive
                .Where(t => t.Status is null)
                .OrderBy(t => t.History[^1].ValidationLoss!.Value)
                .ThenBy(t => t.Id)
                .ToList();
            int advance = Math.Min(finished.Count, Math.Max(1, alive.Count / Eta));
            foreach (var stopped in finished.Skip(advance))
            {
                session.StopEarly(stopped);
            }

            alive = finished.Take(advance).OrderBy(t => t.Id).ToList();
            rung++;
        }

        return session.Finish(cancelled: false);
    }
}
