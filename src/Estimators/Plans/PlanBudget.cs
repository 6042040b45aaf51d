namespace MLNetExtensions.Estimators.Plans;

/// <summary>
/// Scales a plan to a fraction of its steps (for example a low-budget trial of a sweep): the total becomes the
/// fraction of the plan's steps, rounded, and the stages share it in the plan's own proportions; warm-up (the
/// plan's and any stage's own schedule's) scales with it, capped at the scaled steps its schedule spans. Depths,
/// trainable layers, the relaxation and everything else stay as they are.
/// </summary>
public static class PlanBudget
{
    /// <summary>A new plan with <paramref name="fraction"/> of <paramref name="plan"/>'s steps.</summary>
    /// <param name="plan">The plan; validated, not modified.</param>
    /// <param name="fraction">In (0, 1]; 1 gives a copy. Every stage keeps at least one step.</param>
    /// <returns>The scaled plan, with the same name.</returns>
    public static TrainingPlan Scale(TrainingPlan plan, double fraction)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (!double.IsFinite(fraction) || fraction <= 0 || fraction > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, $"The budget fraction must be in (0, 1] (was {fraction}).");
        }

        plan.Validate();
        int total = plan.TotalSteps;
        int scaledTotal = fraction == 1 ? total : Math.Max(plan.Stages.Count, (int)Math.Round(total * fraction, MidpointRounding.AwayFromZero));
        int[] steps = fraction == 1
            ? plan.Stages.Select(s => s.Steps).ToArray()
            : StepApportionment.Split(scaledTotal, plan.Stages.Select(s => (decimal)s.Steps).ToList());

        // Every schedule, the plan's included, is replaced by a scaled copy below.
        var scaled = new TrainingPlan { Name = plan.Name, Relaxation = plan.Relaxation, Schedule = plan.Schedule };
        for (int i = 0; i < plan.Stages.Count; i++)
        {
            var stage = plan.Stages[i].Clone();
            stage.Steps = steps[i];
            scaled.Stages.Add(stage);
        }

        // Each schedule's warm-up must fit in the scaled steps it spans (the plan's runs up to the first stage that
        // starts its own; CoRe's relaxed phase), not in the whole scaled plan.
        foreach (var (schedule, first, span) in scaled.ScheduleSegments().ToList())
        {
            var copy = ScaleWarmup(schedule, fraction, span);
            if (first == 0 && scaled.Stages[0].Schedule is null)
            {
                scaled.Schedule = copy;
            }
            else
            {
                scaled.Stages[first].Schedule = copy;
            }
        }

        if (ReferenceEquals(scaled.Schedule, plan.Schedule))
        {
            // Stage 0 starts its own schedule, so the plan's spans no step: capped at the whole plan.
            scaled.Schedule = ScaleWarmup(plan.Schedule, fraction, scaledTotal);
        }

        return scaled;
    }

    private static LearningRateScheduleSettings ScaleWarmup(LearningRateScheduleSettings schedule, double fraction, long steps)
    {
        var copy = schedule.Clone();
        if (fraction != 1)
        {
            copy.WarmupSteps = (int)Math.Min(steps, (long)Math.Round(schedule.WarmupSteps * fraction, MidpointRounding.AwayFromZero));
        }

        return copy;
    }
}
