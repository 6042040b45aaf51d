
namespace MLNetExtensions.Estimators.Plans;

/// <summary>
/// Builders of the plans the staged-training methods compare: multi-stage layerwise training (MSLT, Yang et al.
/// 2020), Progressive Stacking (Gong et al. 2019) and the full-depth baseline. Every builder gives a plan with
/// exactly the requested number of steps, so plans of one comparison train for the same number of updates.
/// </summary>
public static class MultiStagePlans
{
    /// <summary>The plan name of <see cref="Mslt"/> plans.</summary>
    public const string MsltName = "mslt";

    /// <summary>The plan name of <see cref="ProgressiveStacking"/> plans.</summary>
    public const string ProgressiveStackingName = "progressive-stacking";

    /// <summary>
    /// A multi-stage layerwise training plan: the first stage trains all of a <see cref="MultiStagePlanSettings.StartDepth"/>-layer
    /// encoder (embeddings and head included); each later stage adds <see cref="MultiStagePlanSettings.LayersPerStage"/>
    /// layers on top and trains only those (and the head, and the embeddings when asked); an optional final stage
    /// trains every layer at the target depth.
    /// </summary>
    /// <param name="settings">The settings; validated, not modified.</param>
    /// <returns>A validated plan named <see cref="MsltName"/>.</returns>
    public static TrainingPlan Mslt(MultiStagePlanSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();

        int growthStages = settings.GrowthStageCount;
        var depths = Enumerable.Range(0, growthStages).Select(k => settings.StartDepth + (k * settings.LayersPerStage)).ToArray();
        var growthWeights = GrowthWeights(settings.StepAllocation, depths, settings.ExplicitStepFractions);
        decimal final = (decimal)settings.FinalStageFraction;
        var weights = growthWeights.Select(w => w * (1 - final)).ToList();
        if (final > 0)
        {
            weights.Add(final);
        }

        int[] steps = StepApportionment.Split(settings.TotalSteps, weights);
        var plan = new TrainingPlan { Name = MsltName, Schedule = settings.Clone().Schedule };
        for (int k = 0; k < growthStages; k++)
        {
            bool first = k == 0;
            plan.Stages.Add(new TrainingStage
            {
                Name = $"depth-{depths[k]}",
                Depth = depths[k],
                NewLayers = first ? LayerInitialization.Random : settings.NewLayers,
                TrainableTopLayers = first ? null : settings.LayersPerStage,
                TrainEmbeddings = first || settings.TrainEmbeddingsInLaterStages,
                TrainHead = first || settings.TrainHeadInLaterStages,
                Steps = steps[k],
                ResetOptimizerState = !first && settings.ResetOptimizerStateBetweenStages,
            });
        }

        if (final > 0)
        {
            plan.Stages.Add(new TrainingStage
            {
                Name = $"depth-{settings.TargetDepth}-all-layers",
                Depth = settings.TargetDepth,
                NewLayers = settings.NewLayers,
                TrainableTopLayers = null,
                TrainEmbeddings = true,
                TrainHead = true,
                Steps = steps[^1],
                ResetOptimizerState = settings.ResetOptimizerStateBetweenStages,
            });
        }

        plan.Validate();
        return plan;
    }

    /// <summary>
    /// A Progressive Stacking plan: each stage doubles the encoder by copying all its layers on top (the last stage
    /// adds only what is left to reach <paramref name="targetDepth"/>, copying the top layers); every layer, the
    /// embeddings and the head train in every stage.
    /// </summary>
    /// <param name="startDepth">Layers of the first stage; ≥ 1.</param>
    /// <param name="targetDepth">Layers at the end; ≥ <paramref name="startDepth"/>.</param>
    /// <param name="totalSteps">Steps of the whole plan; ≥ the number of stages.</param>
    /// <param name="schedule">The learning-rate schedule; null for the defaults.</param>
    /// <param name="allocation">How the stages share the steps.</param>
    /// <param name="explicitStepFractions">With <see cref="StepAllocation.Explicit"/>: one fraction per stage, adding up to 1.</param>
    /// <returns>A validated plan named <see cref="ProgressiveStackingName"/>.</returns>
    public static TrainingPlan ProgressiveStacking(
        int startDepth,
        int targetDepth,
        int totalSteps,
        LearningRateScheduleSettings? schedule = null,
        StepAllocation allocation = StepAllocation.Equal,
        IReadOnlyList<double>? explicitStepFractions = null)
    {
        if (startDepth < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(startDepth), startDepth, $"Progressive Stacking: startDepth must be ≥ 1 (was {startDepth}).");
        }

        if (targetDepth < startDepth)
        {
            throw new ArgumentOutOfRangeException(nameof(targetDepth), targetDepth, $"Progressive Stacking: targetDepth must be ≥ startDepth ({startDepth}) (was {targetDepth}).");
        }

        if (!Enum.IsDefined(allocation))
        {
            throw new ArgumentOutOfRangeException(nameof(allocation), allocation, "Progressive Stacking: unknown step allocation.");
        }

        var depths = new List<int> { startDepth };
        while (depths[^1] < targetDepth)
        {
            depths.Add(Math.Min(2 * depths[^1], targetDepth));
        }

        if (totalSteps < depths.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps, $"Progressive Stacking: totalSteps must be ≥ the number of stages ({depths.Count}) (was {totalSteps}).");
        }

        if (allocation == StepAllocation.Explicit)
        {
            MultiStagePlanSettings.ValidateFractions(explicitStepFractions, depths.Count, "Progressive Stacking: explicitStepFractions", nameof(explicitStepFractions));
        }

        int[] steps = StepApportionment.Split(totalSteps, GrowthWeights(allocation, depths, explicitStepFractions));
        var plan = new TrainingPlan { Name = ProgressiveStackingName, Schedule = schedule ?? new LearningRateScheduleSettings() };
        for (int k = 0; k < depths.Count; k++)
        {
            plan.Stages.Add(new TrainingStage
            {
                Name = $"depth-{depths[k]}",
                Depth = depths[k],
                NewLayers = k == 0 ? LayerInitialization.Random : LayerInitialization.CopyTopLayers,
                TrainableTopLayers = null,
                TrainEmbeddings = true,
                TrainHead = true,
                Steps = steps[k],
            });
        }

        plan.Validate();
        return plan;
    }

    /// <summary>The one-stage baseline: every parameter of a <paramref name="depth"/>-layer encoder trains for <paramref name="totalSteps"/> steps.</summary>
    /// <param name="depth">Encoder layers; ≥ 1.</param>
    /// <param name="totalSteps">Steps; ≥ 1.</param>
    /// <param name="schedule">The learning-rate schedule; null for the defaults.</param>
    /// <returns>A validated plan (<see cref="TrainingPlan.FullDepth"/>).</returns>
    public static TrainingPlan FullDepth(int depth, int totalSteps, LearningRateScheduleSettings? schedule = null)
    {
        var plan = TrainingPlan.FullDepth(depth, totalSteps, schedule);
        plan.Validate();
        return plan;
    }

    private static List<decimal> GrowthWeights(StepAllocation allocation, IReadOnlyList<int> depths, IReadOnlyList<double>? fractions)
    {
        IEnumerable<decimal> raw = allocation switch
        {
            StepAllocation.Equal => depths.Select(_ => 1m),
            StepAllocation.ProportionalToDepth => depths.Select(d => (decimal)d),
            StepAllocation.Explicit => fractions!.Select(f => (decimal)f),
            _ => throw new ArgumentOutOfRangeException(nameof(allocation), allocation, "Unknown step allocation."),
        };
        var weights = raw.ToList();
        decimal sum = weights.Sum();
        return weights.Select(w => w / sum).ToList();
    }
}
