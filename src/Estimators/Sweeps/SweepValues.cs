using System.Globalization;
using MLNetExtensions.Estimators.Plans;
using MLNetExtensions.Transforms.Bert;

namespace MLNetExtensions.Estimators.Sweeps;

/// <summary>
/// The flat name → value view of sweepable settings used in sweep results: numbers stay numbers
/// (<see cref="int"/>, <see cref="double"/>), switches are <see cref="bool"/>, enums are their names.
/// </summary>
internal static class SweepValues
{
    /// <summary>Every setting, in a fixed order. The schedule's settings are named without the "Schedule." prefix.</summary>
    public static IReadOnlyDictionary<string, object> Flatten(MultiStagePlanSettings settings)
    {
        var values = new OrderedDictionary<string, object>(StringComparer.Ordinal)
        {
            [nameof(MultiStagePlanSettings.StartDepth)] = settings.StartDepth,
            [nameof(MultiStagePlanSettings.LayersPerStage)] = settings.LayersPerStage,
            [nameof(MultiStagePlanSettings.TargetDepth)] = settings.TargetDepth,
            [nameof(MultiStagePlanSettings.TotalSteps)] = settings.TotalSteps,
            [nameof(MultiStagePlanSettings.StepAllocation)] = settings.StepAllocation.ToString(),
        };
        if (settings.StepAllocation == StepAllocation.Explicit && settings.ExplicitStepFractions is { } fractions)
        {
            values[nameof(MultiStagePlanSettings.ExplicitStepFractions)] = string.Join(",", fractions.Select(f => Format(f)));
        }

        values[nameof(MultiStagePlanSettings.NewLayers)] = settings.NewLayers.ToString();
        values[nameof(MultiStagePlanSettings.TrainEmbeddingsInLaterStages)] = settings.TrainEmbeddingsInLaterStages;
        values[nameof(MultiStagePlanSettings.TrainHeadInLaterStages)] = settings.TrainHeadInLaterStages;
        values[nameof(MultiStagePlanSettings.FinalStageFraction)] = settings.FinalStageFraction;
        values[nameof(MultiStagePlanSettings.ResetOptimizerStateBetweenStages)] = settings.ResetOptimizerStateBetweenStages;
        values[nameof(LearningRateScheduleSettings.PeakLearningRate)] = settings.Schedule.PeakLearningRate;
        values[nameof(LearningRateScheduleSettings.WarmupSteps)] = settings.Schedule.WarmupSteps;
        values[nameof(LearningRateScheduleSettings.Decay)] = settings.Schedule.Decay.ToString();
        values["FinalLearningRateFraction"] = settings.Schedule.FinalFraction;
        return new System.Collections.ObjectModel.ReadOnlyDictionary<string, object>(values);
    }

    /// <summary>
    /// Every CoRe setting, in a fixed order: the relaxation (the projected length only for the attention that uses
    /// it), the phases with <c>RelaxedShare</c> (the relaxed phase's share of the steps), each phase's schedule
    /// (prefixed <c>Relaxed</c> / <c>Full</c>), and the relaxed phase's growth when it is stage-wise.
    /// </summary>
    public static IReadOnlyDictionary<string, object> Flatten(CoRePlanSettings settings)
    {
        var values = new OrderedDictionary<string, object>(StringComparer.Ordinal)
        {
            [nameof(CoRePlanSettings.Attention)] = settings.Attention.ToString(),
            [nameof(CoRePlanSettings.FeedForwardRank)] = settings.FeedForwardRank,
        };
        if (settings.Attention == FastAttentionKind.LowRankProjection)
        {
            values[nameof(CoRePlanSettings.ProjectedLength)] = settings.ProjectedLength;
        }

        values[nameof(CoRePlanSettings.Depth)] = settings.Depth;
        values[nameof(CoRePlanSettings.RelaxedSteps)] = settings.RelaxedSteps;
        values[nameof(CoRePlanSettings.FullSteps)] = settings.FullSteps;
        values[CoReSearchSpace.RelaxedShareName] = (double)settings.RelaxedSteps / (settings.RelaxedSteps + settings.FullSteps);
        AddSchedule(values, "Relaxed", settings.RelaxedSchedule);
        AddSchedule(values, "Full", settings.FullSchedule);
        values["RelaxedStageWise"] = settings.RelaxedGrowth is not null;
        if (settings.RelaxedGrowth is { } growth)
        {
            // The growth's depth, steps and schedule are the relaxed phase's (listed above).
            var replaced = new HashSet<string>(StringComparer.Ordinal)
            {
                nameof(MultiStagePlanSettings.TargetDepth),
                nameof(MultiStagePlanSettings.TotalSteps),
                nameof(LearningRateScheduleSettings.PeakLearningRate),
                nameof(LearningRateScheduleSettings.WarmupSteps),
                nameof(LearningRateScheduleSettings.Decay),
                "FinalLearningRateFraction",
            };
            foreach (var (name, value) in Flatten(growth).Where(p => !replaced.Contains(p.Key)))
            {
                values["Relaxed" + name] = value;
            }
        }

        return new System.Collections.ObjectModel.ReadOnlyDictionary<string, object>(values);
    }

    private static void AddSchedule(OrderedDictionary<string, object> values, string prefix, LearningRateScheduleSettings schedule)
    {
        values[prefix + nameof(LearningRateScheduleSettings.PeakLearningRate)] = schedule.PeakLearningRate;
        values[prefix + nameof(LearningRateScheduleSettings.WarmupSteps)] = schedule.WarmupSteps;
        values[prefix + nameof(LearningRateScheduleSettings.Decay)] = schedule.Decay.ToString();
        values[prefix + "FinalLearningRateFraction"] = schedule.FinalFraction;
    }

    /// <summary>A canonical text of the values: two candidates are the same exactly when their keys are equal.</summary>
    public static string Key(IReadOnlyDictionary<string, object> values) =>
        string.Join(";", values.Select(pair => $"{pair.Key}={Format(pair.Value)}"));

    /// <summary>A value as invariant text; doubles round-trip.</summary>
    public static string Format(object value) => value switch
    {
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
