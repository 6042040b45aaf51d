using MLNetExtensions.Estimators.Plans;
using MLNetExtensions.Transforms.Bert;

namespace MLNetExtensions.Estimators.Sweeps;

/// <summary>
/// The MSLT settings a sweep explores: each candidate is an MSLT plan (<see cref="MultiStagePlans.Mslt"/>);
/// combinations whose settings are invalid (for example layers per stage that do not divide the growth) are skipped,
/// deterministically.
/// </summary>
public sealed class MsltSearchSpace : SearchSpace<MultiStagePlanSettings>
{
    /// <summary>A space around <paramref name="fixedSettings"/> (copied); every setting not swept keeps its value there.</summary>
    /// <param name="fixedSettings">The settings every candidate starts from.</param>
    /// <exception cref="ArgumentNullException">The schedule of <paramref name="fixedSettings"/> is not set.</exception>
    public MsltSearchSpace(MultiStagePlanSettings fixedSettings)
        : base(fixedSettings)
    {
        // The learning-rate dimension writes into the schedule; a candidate cannot be built without it.
        LearningRateScheduleSettings.Require(FixedSettings.Schedule, $"{nameof(MultiStagePlanSettings)}.", nameof(MultiStagePlanSettings.Schedule));
    }

    /// <summary>A space for plans reaching <paramref name="targetDepth"/> layers in <paramref name="totalSteps"/> steps (other settings at their defaults).</summary>
    /// <param name="targetDepth">Encoder layers at the end.</param>
    /// <param name="totalSteps">Steps of every plan.</param>
    public MsltSearchSpace(int targetDepth, int totalSteps)
        : this(new MultiStagePlanSettings { TargetDepth = targetDepth, TotalSteps = totalSteps })
    {
    }

    /// <summary>Layers of the first stage, or null to keep the fixed value.</summary>
    public SearchDimension<int>? StartDepth { get; set; }

    /// <summary>Layers each growth stage adds, or null to keep the fixed value.</summary>
    public SearchDimension<int>? LayersPerStage { get; set; }

    /// <summary>How the growth stages share the steps, or null to keep the fixed value.</summary>
    public SearchDimension<StepAllocation>? StepAllocation { get; set; }

    /// <summary>How new layers start, or null to keep the fixed value.</summary>
    public SearchDimension<LayerInitialization>? NewLayers { get; set; }

    /// <summary>The fraction of steps of the final all-layers stage, or null to keep the fixed value.</summary>
    public SearchDimension<double>? FinalStageFraction { get; set; }

    /// <summary>Whether the embeddings train after the first stage, or null to keep the fixed value.</summary>
    public SearchDimension<bool>? TrainEmbeddingsInLaterStages { get; set; }

    /// <summary>Whether optimiser moments are dropped between stages, or null to keep the fixed value.</summary>
    public SearchDimension<bool>? ResetOptimizerStateBetweenStages { get; set; }

    /// <summary>The peak learning rate of the schedule, or null to keep the fixed value.</summary>
    public SearchDimension<double>? PeakLearningRate { get; set; }

    /// <inheritdoc />
    protected override IEnumerable<SweptSetting> Dimensions()
    {
        if (StartDepth is { } startDepth)
        {
            yield return SweptSetting.Of(nameof(StartDepth), startDepth, (s, v) => s.StartDepth = v);
        }

        if (LayersPerStage is { } layersPerStage)
        {
            yield return SweptSetting.Of(nameof(LayersPerStage), layersPerStage, (s, v) => s.LayersPerStage = v);
        }

        if (StepAllocation is { } allocation)
        {
            yield return SweptSetting.Of(nameof(StepAllocation), allocation, (s, v) => s.StepAllocation = v);
        }

        if (NewLayers is { } newLayers)
        {
            yield return SweptSetting.Of(nameof(NewLayers), newLayers, (s, v) => s.NewLayers = v);
        }

        if (FinalStageFraction is { } finalStage)
        {
            yield return SweptSetting.Of(nameof(FinalStageFraction), finalStage, (s, v) => s.FinalStageFraction = v);
        }

        if (TrainEmbeddingsInLaterStages is { } embeddings)
        {
            yield return SweptSetting.Of(nameof(TrainEmbeddingsInLaterStages), embeddings, (s, v) => s.TrainEmbeddingsInLaterStages = v);
        }

        if (ResetOptimizerStateBetweenStages is { } reset)
        {
            yield return SweptSetting.Of(nameof(ResetOptimizerStateBetweenStages), reset, (s, v) => s.ResetOptimizerStateBetweenStages = v);
        }

        if (PeakLearningRate is { } learningRate)
        {
            yield return SweptSetting.Of(nameof(PeakLearningRate), learningRate, (s, v) => s.Schedule.PeakLearningRate = v);
        }
    }
}
