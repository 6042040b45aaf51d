using MLNetExtensions.Estimators.Plans;

namespace MLNetExtensions.Estimators.Sweeps;

/// <summary>
/// One trial of a sweep: a candidate and its runs. The summary fields (rung, budget, loss, metrics) describe the run the
/// trial is ranked by, its last completed run, or its last run when none completed or the trial failed; steps and
/// seconds are totals over all runs, and <see cref="Status"/> says where the trial ended. <see cref="History"/> has every run.
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
        // A trial cancelled or stopped after a completed rung keeps that rung's figures, which its rank comes from; a
        // failed trial is not ranked and shows its failed run.
        var summary = (status == TrialStatus.Failed ? null : history.LastOrDefault(r => r.Status == TrialStatus.Completed)) ?? history[^1];
        Rung = summary.Rung;
        BudgetFraction = summary.BudgetFraction;
        ValidationLoss = summary.ValidationLoss;
        Metrics = summary.Metrics;
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

    /// <summary>The rung of the last completed run (the last run for a failed trial or one with no completed run).</summary>
    public int Rung { get; }

    /// <summary>The budget fraction of the run <see cref="Rung"/> describes.</summary>
    public double BudgetFraction { get; }

    /// <summary>Steps over all runs of the trial (the budget it used).</summary>
    public long StepsRun { get; }

    /// <summary>Wall-clock seconds over all runs of the trial.</summary>
    public double Seconds { get; }

    /// <summary>The validation loss of the run <see cref="Rung"/> describes: null for a failed trial or one with no completed run.</summary>
    public double? ValidationLoss { get; }

    /// <summary>The further metrics of the run <see cref="Rung"/> describes.</summary>
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
