using System.Diagnostics;
using MLNetExtensions.Estimators.Plans;

namespace MLNetExtensions.Estimators.Sweeps;

/// <summary>
/// The bookkeeping shared by the search strategies: runs one trial at one rung through the caller's runner (timing
/// it, recording failures, noticing cancellation), and assembles the <see cref="SweepResult"/>.
/// </summary>
internal sealed class SweepSession<TSettings>
    where TSettings : class, ISweepSettings<TSettings>
{
    private readonly string name;
    private readonly string strategy;
    private readonly int? seed;
    private readonly SearchSpace<TSettings> space;
    private readonly CandidateSet<TSettings> candidates;
    private readonly ITrialRunner runner;
    private readonly IProgress<SweepTrial<TSettings>>? progress;
    private readonly CancellationToken cancellationToken;

    public SweepSession(
        string name,
        string strategy,
        int? seed,
        SearchSpace<TSettings> space,
        CandidateSet<TSettings> candidates,
        ITrialRunner runner,
        IProgress<SweepTrial<TSettings>>? progress,
        CancellationToken cancellationToken)
    {
        this.name = name;
        this.strategy = strategy;
        this.seed = seed;
        this.space = space;
        this.candidates = candidates;
        this.runner = runner;
        this.progress = progress;
        this.cancellationToken = cancellationToken;
        Trials = candidates.Candidates.Select((c, i) => new TrialState<TSettings>(i + 1, c)).ToArray();
    }

    /// <summary>One state per candidate, in id order.</summary>
    public IReadOnlyList<TrialState<TSettings>> Trials { get; }

    /// <summary>Checks the arguments every strategy takes.</summary>
    public static void CheckArguments(string name, SearchSpace<TSettings> space, ITrialRunner runner)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(space);
        ArgumentNullException.ThrowIfNull(runner);
    }

    /// <summary>Runs <paramref name="trial"/> with <paramref name="fraction"/> of its budget.</summary>
    /// <param name="trial">The trial.</param>
    /// <param name="rung">The rung.</param>
    /// <param name="fraction">The budget fraction.</param>
    /// <param name="lastRung">Whether a completed run completes the trial (it is not compared again).</param>
    /// <returns>False when the sweep was cancelled (before or during the run): the caller must stop.</returns>
    public bool Run(TrialState<TSettings> trial, int rung, double fraction, bool lastRung)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return false;
        }

        var plan = PlanBudget.Scale(trial.Candidate.Plan, fraction);
        var request = new TrialRequest
        {
            TrialId = trial.Id,
            Rung = rung,
            BudgetFraction = fraction,
            Plan = plan,
            Values = trial.Candidate.Values,
        };

        var clock = Stopwatch.StartNew();
        RungResult result;
        bool carryOn = true;
        try
        {
            var outcome = runner.Run(request, cancellationToken);
            result = Check(outcome, trial.Id, rung, fraction, plan.TotalSteps, clock.Elapsed.TotalSeconds);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            result = Unfinished(TrialStatus.Cancelled, null, rung, fraction, plan.TotalSteps, clock.Elapsed.TotalSeconds);
            carryOn = false;
        }
        catch (Exception exception)
        {
            result = Unfinished(TrialStatus.Failed, $"{exception.GetType().Name}: {exception.Message}", rung, fraction, plan.TotalSteps, clock.Elapsed.TotalSeconds);
        }

        trial.History.Add(result);
        if (result.Status != TrialStatus.Completed)
        {
            trial.Status = result.Status;
            trial.Message = result.Message;
        }
        else if (lastRung)
        {
            trial.Status = TrialStatus.Completed;
        }

        progress?.Report(trial.Snapshot());
        return carryOn;
    }

    /// <summary>Marks <paramref name="trial"/> stopped early by successive halving, and reports it.</summary>
    public void StopEarly(TrialState<TSettings> trial)
    {
        trial.Status = TrialStatus.StoppedEarly;
        progress?.Report(trial.Snapshot());
    }

    /// <summary>Marks every started trial still in play as cancelled.</summary>
    public void CancelOpenTrials()
    {
        foreach (var trial in Trials.Where(t => t.Started && t.Status is null))
        {
            trial.Status = TrialStatus.Cancelled;
        }
    }

    /// <summary>
    /// The result. Ranked: trials not failed with a completed run, by the highest rung completed (descending), then
    /// its validation loss, then id.
    /// </summary>
    public SweepResult<TSettings> Finish(bool cancelled)
    {
        var ranked = Trials
            .Where(t => t.Status != TrialStatus.Failed && t.LastCompleted is not null)
            .OrderByDescending(t => t.LastCompleted!.Rung)
            .ThenBy(t => t.LastCompleted!.ValidationLoss!.Value)
            .ThenBy(t => t.Id)
            .Select((t, i) => (t.Id, Rank: i + 1))
            .ToDictionary(p => p.Id, p => p.Rank);
        var trials = Trials.Where(t => t.Started).Select(t => t.Snapshot(ranked.TryGetValue(t.Id, out int rank) ? rank : null)).ToArray();
        return new SweepResult<TSettings>(
            name,
            strategy,
            seed,
            space.Describe(),
            space.SweptDimensions,
            candidates,
            trials,
            candidates.Candidates.Sum(c => (long)c.Plan.TotalSteps),
            cancelled);
    }

    private static RungResult Check(TrialOutcome? outcome, int trialId, int rung, double fraction, int plannedSteps, double measuredSeconds)
    {
        if (outcome is null)
        {
            return Unfinished(TrialStatus.Failed, "The runner returned no outcome.", rung, fraction, plannedSteps, measuredSeconds);
        }

        // Checked first: every result below records these seconds, and the sweep's JSON cannot hold NaN or ∞.
        if (outcome.WallSeconds is { } reported && !(double.IsFinite(reported) && reported >= 0))
        {
            return Unfinished(
                TrialStatus.Failed,
                $"Trial {trialId}: the runner's TrialOutcome.WallSeconds must be a finite number ≥ 0, or null to time the call (was {reported}).",
                rung,
                fraction,
                plannedSteps,
                measuredSeconds) with
            {
                StepsRun = Math.Max(0, outcome.StepsRun),
            };
        }

        double seconds = outcome.WallSeconds ?? measuredSeconds;
        if (!double.IsFinite(outcome.ValidationLoss))
        {
            return Unfinished(TrialStatus.Failed, $"The validation loss is not a finite number ({outcome.ValidationLoss}).", rung, fraction, plannedSteps, seconds) with
            {
                StepsRun = Math.Max(0, outcome.StepsRun),
            };
        }

        if (outcome.StepsRun < 0)
        {
            return Unfinished(TrialStatus.Failed, $"The runner reported {outcome.StepsRun} steps.", rung, fraction, plannedSteps, seconds);
        }

        return new RungResult
        {
            Rung = rung,
            BudgetFraction = fraction,
            PlannedSteps = plannedSteps,
            StepsRun = outcome.StepsRun,
            Seconds = seconds,
            ValidationLoss = outcome.ValidationLoss,
            Status = TrialStatus.Completed,
            Metrics = outcome.Metrics is null ? new Dictionary<string, double>() : new Dictionary<string, double>(outcome.Metrics),
        };
    }

    private static RungResult Unfinished(TrialStatus status, string? message, int rung, double fraction, int plannedSteps, double seconds) => new()
    {
        Rung = rung,
        BudgetFraction = fraction,
        PlannedSteps = plannedSteps,
        StepsRun = 0,
        Seconds = seconds,
        Status = status,
        Message = message,
    };
}
