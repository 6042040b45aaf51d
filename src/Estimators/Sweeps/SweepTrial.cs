using MLNetExtensions.Estimators.Plans;

namespace MLNetExtensions.Estimators.Sweeps;

/// <summary>
/// One trial of a sweep: a candidate and its runs. The summary fields describe the last run (rung, budget, loss) and
/// the totals over all runs (steps, seconds); <see cref="History"/> has every run.
/// </summary>
/// <typeparam name="TSettings">The settings type.</typeparam>
public sealed class SweepTrial<TSettings>
    where TSettings : class, ISweepSettings<TSettings>
{
    internal SweepTrial(int id, SweepCandidate<TSettings> candidate, IReadOnlyList<RungResult> history, TrialStatus status, string? message, int? rank)
    {
        Id = id;
        Values = candidate.Values;
        Settings = candidate.Settings.Clone();
        PlanJson = candidate.Plan.ToJson();
        History = history;
        Status = status;
        Message = message;
        Rank = rank;
        var last = history[^1];
        Rung = last.Rung;
        BudgetFraction = last.BudgetFraction;
        ValidationLoss = last.ValidationLoss;
        Metrics = last.Metrics;
        StepsRun = history.Sum(r => r.StepsRun);
        Seconds = history.Sum(r => r.Seconds);
    }

    /// <summary>The trial's id, from 1, in proposal order.</summary>
    public int Id { get; }

    /// <summary>The settings as a flat name → value map.</summary>
    public IReadOnlyDictionary<string, object> Values { get; }

    /// <summary>The settings (a copy): their <see cref="ISweepSettings{TSettings}.BuildPlan"/> gives the full-budget plan.</summary>
    public TSettings Settings { get; }

    /// <summary>The full-budget plan as JSON (<see cref="TrainingPlan.FromJson"/> reads it).</summary>
    public string PlanJson { get; }

    /// <summary>The rung of the last run.</summary>
    public int Rung { get; }

    /// <summary>The budget fraction of the last run.</summary>
    public double BudgetFraction { get; }

    /// <summary>Steps over all runs of the trial (the budget it used).</summary>
    public long StepsRun { get; }

    /// <summary>Wall-clock seconds over all runs of the trial.</summary>
    public double Seconds { get; }

    /// <summary>The validation loss of the last run, or null when it failed or was cancelled.</summary>
    public double? ValidationLoss { get; }

    /// <summary>The further metrics of the last run.</summary>
    public IReadOnlyDictionary<string, double> Metrics { get; }

    /// <summary>Where the trial ended.</summary>
    public TrialStatus Status { get; }

    /// <summary>Why the trial failed, or null.</summary>
    public string? Message { get; }

    /// <summary>The trial's place in <see cref="SweepResult{TSettings}.Ranking"/> (1 = best), or null when it is not ranked.</summary>
    public int? Rank { get; }

    /// <summary>Every run, in order.</summary>
    public IReadOnlyList<RungResult> History { get; }
}
