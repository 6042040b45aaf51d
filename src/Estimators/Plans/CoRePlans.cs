namespace MLNetExtensions.Estimators.Plans;

/// <summary>Builds coarse-refined (CoRe) training plans: relaxed stage(s), then the conversion into the original BERT and a full stage.</summary>
public static class CoRePlans
{
    /// <summary>The plan's name for CoRe.</summary>
    public const string CoReName = "core";

    /// <summary>The plan's name for CoRe with a stage-wise (MSLT) relaxed phase.</summary>
    public const string CoReMsltName = "core+mslt";

    /// <summary>
    /// The plan of <paramref name="settings"/>: the relaxed phase (one stage, or MSLT stages), then one full stage at
    /// <see cref="CoRePlanSettings.Depth"/> with its own schedule. The plan holds copies of the settings' schedules.
    /// </summary>
    /// <exception cref="ArgumentException">The relaxed growth's settings are invalid (the message names the CoRe option).</exception>
    public static TrainingPlan Build(CoRePlanSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.RequireSchedules();
        TrainingPlan plan;
        if (settings.RelaxedGrowth is { } growth)
        {
            var relaxed = growth.Clone();
            relaxed.TargetDepth = settings.Depth;
            relaxed.TotalSteps = settings.RelaxedSteps;
            relaxed.Schedule = settings.RelaxedSchedule;

            // Checked here, not only in Mslt, so that errors name the CoRe settings the user set.
            relaxed.Validate(nameof(CoRePlanSettings), CoRePlanSettings.RelaxedGrowthOption);
            plan = MultiStagePlans.Mslt(relaxed); // clones the schedule
            plan.Name = CoReMsltName;
        }
        else
        {
            plan = new TrainingPlan
            {
                Name = CoReName,
                Schedule = settings.RelaxedSchedule.Clone(),
                Stages = { new TrainingStage { Name = $"relaxed-depth-{settings.Depth}", Depth = settings.Depth, Steps = settings.RelaxedSteps } },
            };
        }

        foreach (var stage in plan.Stages)
        {
            stage.Architecture = EncoderArchitecture.Relaxed;
            stage.Name = stage.Name.StartsWith("relaxed-", StringComparison.Ordinal) ? stage.Name : "relaxed-" + stage.Name;
        }

        plan.Relaxation = settings.Relaxation;
        plan.Stages.Add(new TrainingStage
        {
            Name = $"full-depth-{settings.Depth}",
            Architecture = EncoderArchitecture.Full,
            Depth = settings.Depth,
            Steps = settings.FullSteps,
            ResetOptimizerState = true,
            Schedule = settings.FullSchedule.Clone(),
        });
        return plan;
    }
}
