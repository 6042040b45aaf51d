namespace MLNetExtensions.Estimators.Plans;

/// <summary>
/// Scales a plan to a fraction of its steps (for example a low-budget trial of a sweep): the total becomes the
/// fraction of the plan's steps, rounded, and the stages share it in the plan's own proportions; warm-up (the
/// plan's and any stage's own schedule's) scales with it. Depths, trainable layers, the relaxation and everything
/// else stay as they are.
/// </summary>
public static class PlanBudget
{
    /// <summary>A new plan with <paramref name="fraction"/> of <paramref name="plan"/>'s steps.</summary>
    /// <param name="plan">The plan; not modified.</param>
    /// <param name="fraction">In (0, 1]; 1 gives a copy. Every stage keeps at least one step.</param>
    /// <returns>The scaled plan, with the same name.</returns>
    public static TrainingPlan Scale(TrainingPlan plan, double fraction)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (!double.IsFinite(fraction) || fraction <= 0 || fraction > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, $"The budget fraction must be in (0, 1] (was {fraction}).");
        }

        if (plan.Stages.Count == 0 || plan.Stages.Any(s => s.Steps <= 0))
        {
            throw new ArgumentException($"Plan '{plan.Name}' needs stages with positive steps to be scaled.", nameof(plan));
        }

        int total = plan.TotalSteps;
        int scaledTotal = fraction == 1 ? total : Math.Max(plan.Stages.Count, (int)Math.Round(total * fraction, MidpointRounding.AwayFromZero));
        int[] steps = fraction == 1
            ? plan.Stages.Select(s => s.Steps).ToArray()
            : StepApportionment.Split(scaledTotal, plan.Stages.Select(s => (decimal)s.Steps).ToList());

        var scaled = new TrainingPlan
        {
            Name = plan.Name,
            Relaxation = plan.Relaxation,
            Schedule = ScaleWarmup(plan.Schedule, fraction, scaledTotal),
        };
        for (int i = 0; i < plan.Stages.Count; i++)
        {
            var stage = plan.Stages[i].Clone();
            stage.Steps = steps[i];
            scaled.Stages.Add(stage);
        }

        // A stage's own schedule spans it and the following stages without one; its warm-up scales like the plan's.
        for (int i = 0; i < scaled.Stages.Count; i++)
        {
            if (scaled.Stages[i].Schedule is { } schedule)
            {
                int span = scaled.Stages.Skip(i).TakeWhile((s, k) => k == 0 || s.Schedule is null).Sum(s => s.Steps);
                scaled.Stages[i].Schedule = ScaleWarmup(schedule, fraction, span);
            }
        }

        return scaled;
    }

    private static LearningRateScheduleSettings ScaleWarmup(LearningRateScheduleSettings schedule, double fraction, int steps)
    {
        var copy = schedule.Clone();
        if (fraction != 1)
        {
            copy.WarmupSteps = Math.Min(steps, (int)Math.Round(schedule.WarmupSteps * fraction, MidpointRounding.AwayFromZero));
        }

        return copy;
    }
}
