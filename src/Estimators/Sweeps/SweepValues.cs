using System.Globalization;
using MLNetExtensions.Estimators.Plans;

namespace MLNetExtensions.Estimators.Sweeps;

/// <summary>
/// The flat name → value view of <see cref="MultiStagePlanSettings"/> used in sweep results: numbers stay numbers
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
