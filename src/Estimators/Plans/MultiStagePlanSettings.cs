using MLNetExtensions.Estimators.Sweeps;

namespace MLNetExtensions.Estimators.Plans;

/// <summary>
/// Settings of a multi-stage layerwise training (MSLT) plan, turned into a <see cref="TrainingPlan"/> by
/// <see cref="MultiStagePlans.Mslt"/>. Training starts with <see cref="StartDepth"/> encoder layers; each later
/// stage adds <see cref="LayersPerStage"/> layers on top until <see cref="TargetDepth"/>, and trains only the
/// layers it added (plus the head); the layers below run forward-only. An optional final stage trains all layers.
/// </summary>
/// <remarks>
/// Steps: the final all-layers stage gets <see cref="FinalStageFraction"/> of <see cref="TotalSteps"/>; the growth
/// stages share the rest according to <see cref="StepAllocation"/>. Rounding remainders are distributed so the
/// stages add up to exactly <see cref="TotalSteps"/>, which keeps comparisons with other plans fair. An
/// <see cref="MsltSearchSpace"/> sweeps these settings.
/// </remarks>
public sealed class MultiStagePlanSettings : ISweepSettings<MultiStagePlanSettings>
{
    /// <summary>Encoder layers of the first stage. Must be ≥ 1.</summary>
    public int StartDepth { get; set; } = 3;

    /// <summary>Layers each growth stage adds on top. Must be ≥ 1 and divide <see cref="TargetDepth"/> − <see cref="StartDepth"/>.</summary>
    public int LayersPerStage { get; set; } = 3;

    /// <summary>Encoder layers at the end. Must be ≥ <see cref="StartDepth"/>.</summary>
    public int TargetDepth { get; set; } = 12;

    /// <summary>Optimiser steps of the whole plan, all stages together. Must be ≥ the number of stages.</summary>
    public int TotalSteps { get; set; } = 10_000;

    /// <summary>How the growth stages share the steps not given to the final stage.</summary>
    public StepAllocation StepAllocation { get; set; } = StepAllocation.Equal;

    /// <summary>
    /// With <see cref="Plans.StepAllocation.Explicit"/>: one positive fraction per growth stage (first stage first),
    /// adding up to 1, of the steps not given to the final stage. Ignored by the other allocations.
    /// </summary>
    public List<double>? ExplicitStepFractions { get; set; }

    /// <summary>How the layers added by each growth stage start; copying the current top layers by default.</summary>
    public LayerInitialization NewLayers { get; set; } = LayerInitialization.CopyTopLayers;

    /// <summary>
    /// Whether the embeddings train in the stages after the first. The first stage always trains everything,
    /// embeddings included; by default later stages train only the new layers (and the head).
    /// </summary>
    public bool TrainEmbeddingsInLaterStages { get; set; }

    /// <summary>Whether the masked-LM head trains in the stages after the first.</summary>
    public bool TrainHeadInLaterStages { get; set; } = true;

    /// <summary>
    /// The fraction of <see cref="TotalSteps"/> given to a final stage that trains all layers at the target depth,
    /// in [0, 1); 0 means no final stage.
    /// </summary>
    public double FinalStageFraction { get; set; }

    /// <summary>
    /// Whether the optimiser's moments of parameters that trained before are dropped when a stage starts; false
    /// keeps the moments of parameters that continue to train.
    /// </summary>
    public bool ResetOptimizerStateBetweenStages { get; set; }

    /// <summary>The learning-rate schedule across all stages.</summary>
    public LearningRateScheduleSettings Schedule { get; set; } = new();

    /// <summary>Number of stages that grow the encoder (the first stage included, the final all-layers stage not).</summary>
    internal int GrowthStageCount => (TargetDepth - StartDepth) / LayersPerStage + 1;

    /// <summary>Number of stages of the plan.</summary>
    internal int StageCount => GrowthStageCount + (FinalStageFraction > 0 ? 1 : 0);

    /// <summary>A deep copy (the schedule and the fractions are copied too).</summary>
    public MultiStagePlanSettings Clone()
    {
        var copy = (MultiStagePlanSettings)MemberwiseClone();
        copy.Schedule = Schedule?.Clone()!; // a missing schedule stays missing, for Validate to name
        copy.ExplicitStepFractions = ExplicitStepFractions is null ? null : new List<double>(ExplicitStepFractions);
        return copy;
    }

    /// <summary>The MSLT plan (<see cref="MultiStagePlans.Mslt"/>), validated.</summary>
    public TrainingPlan BuildPlan() => MultiStagePlans.Mslt(this);

    /// <inheritdoc />
    IReadOnlyDictionary<string, object> ISweepSettings<MultiStagePlanSettings>.ToSweepValues() => SweepValues.Flatten(this);

    /// <summary>Checks every setting; throws naming the first bad option.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="ArgumentException">Options contradict each other.</exception>
    public void Validate() => Validate(nameof(MultiStagePlanSettings), option => option);

    /// <summary>
    /// <see cref="Validate()"/>, naming each option <c>{owner}.{path(option)}</c> in messages and <c>path(option)</c>
    /// as the parameter: CoRe's <see cref="CoRePlanSettings.RelaxedGrowth"/> names the CoRe settings that replace
    /// <see cref="TargetDepth"/>, <see cref="TotalSteps"/> and <see cref="Schedule"/>.
    /// </summary>
    internal void Validate(string owner, Func<string, string> path)
    {
        ArgumentOutOfRangeException Bad(string option, object? value, string rule) =>
            new(path(option), value, $"{owner}.{path(option)} {rule} (was {value}).");

        if (StartDepth < 1)
        {
            throw Bad(nameof(StartDepth), StartDepth, "must be ≥ 1");
        }

        if (LayersPerStage < 1)
        {
            throw Bad(nameof(LayersPerStage), LayersPerStage, "must be ≥ 1");
        }

        if (TargetDepth < StartDepth)
        {
            throw Bad(nameof(TargetDepth), TargetDepth, $"must be ≥ {path(nameof(StartDepth))} ({StartDepth})");
        }

        if ((TargetDepth - StartDepth) % LayersPerStage != 0)
        {
            throw Bad(
                nameof(LayersPerStage),
                LayersPerStage,
                $"must divide {path(nameof(TargetDepth))} − {path(nameof(StartDepth))} ({TargetDepth} − {StartDepth} = {TargetDepth - StartDepth}) so the last stage reaches the target");
        }

        if (!Enum.IsDefined(NewLayers))
        {
            throw Bad(nameof(NewLayers), NewLayers, "is not a known layer initialisation");
        }

        for (int depth = StartDepth; depth < TargetDepth; depth += LayersPerStage)
        {
            if (!TrainingStage.CanAddLayers(NewLayers, depth, LayersPerStage))
            {
                throw Bad(
                    nameof(LayersPerStage),
                    LayersPerStage,
                    $"must be ≤ the current depth ({depth}) at each growth when {path(nameof(NewLayers))} is CopyTopLayers (only existing layers can be copied)");
            }
        }

        if (!double.IsFinite(FinalStageFraction) || FinalStageFraction < 0 || FinalStageFraction >= 1)
        {
            throw Bad(nameof(FinalStageFraction), FinalStageFraction, "must be in [0, 1)");
        }

        if (!Enum.IsDefined(StepAllocation))
        {
            throw Bad(nameof(StepAllocation), StepAllocation, "is not a known allocation");
        }

        if (StepAllocation == StepAllocation.Explicit)
        {
            string fractions = path(nameof(ExplicitStepFractions));
            ValidateFractions(ExplicitStepFractions, GrowthStageCount, $"{owner}.{fractions}", fractions);
        }

        if (TotalSteps < StageCount)
        {
            throw Bad(nameof(TotalSteps), TotalSteps, $"must be ≥ the number of stages ({StageCount}) so every stage gets a step");
        }

        LearningRateScheduleSettings.Validate(Schedule, $"{owner}.", path(nameof(Schedule)), TotalSteps, path(nameof(TotalSteps)));
    }

    /// <summary>Checks explicit step fractions: <paramref name="stages"/> positive finite numbers adding up to 1.</summary>
    internal static void ValidateFractions(IReadOnlyList<double>? fractions, int stages, string label, string parameterName)
    {
        if (fractions is null)
        {
            throw new ArgumentException($"{label} must be set when the step allocation is Explicit.", parameterName);
        }

        if (fractions.Count != stages)
        {
            throw new ArgumentException($"{label} has {fractions.Count} fractions but the plan has {stages} growth stages.", parameterName);
        }

        double sum = 0;
        foreach (double fraction in fractions)
        {
            if (!double.IsFinite(fraction) || fraction <= 0)
            {
                throw new ArgumentOutOfRangeException(parameterName, fraction, $"{label}: every fraction must be a finite number > 0 (was {fraction}).");
            }

            sum += fraction;
        }

        if (Math.Abs(sum - 1) > 1e-6)
        {
            throw new ArgumentException($"{label} must add up to 1 (they add up to {sum}).", parameterName);
        }
    }
}
