using MLNetExtensions.Estimators.Plans;
using MLNetExtensions.Transforms.Bert;

namespace MLNetExtensions.Estimators.Sweeps;

/// <summary>
/// The settings a sweep explores: fixed settings (target depth, total steps, and the defaults of everything not
/// swept) and a dimension for each swept setting. Each candidate is an MSLT plan
/// (<see cref="MultiStagePlans.Mslt"/>); combinations whose settings are invalid (for example layers per stage
/// that do not divide the growth) are skipped, deterministically.
/// </summary>
public sealed class PlanSearchSpace
{
    /// <summary>A space around <paramref name="fixedSettings"/> (copied); every setting not swept keeps its value there.</summary>
    /// <param name="fixedSettings">The settings every candidate starts from.</param>
    public PlanSearchSpace(MultiStagePlanSettings fixedSettings)
    {
        ArgumentNullException.ThrowIfNull(fixedSettings);
        FixedSettings = fixedSettings.Clone();
    }

    /// <summary>A space for plans reaching <paramref name="targetDepth"/> layers in <paramref name="totalSteps"/> steps (other settings at their defaults).</summary>
    /// <param name="targetDepth">Encoder layers at the end.</param>
    /// <param name="totalSteps">Steps of every plan.</param>
    public PlanSearchSpace(int targetDepth, int totalSteps)
        : this(new MultiStagePlanSettings { TargetDepth = targetDepth, TotalSteps = totalSteps })
    {
    }

    /// <summary>The settings every candidate starts from (the space's own copy; changes apply to later proposals).</summary>
    public MultiStagePlanSettings FixedSettings { get; }

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

    /// <summary>The names of the swept settings, in the order grid search nests them (the last varies fastest).</summary>
    public IReadOnlyList<string> SweptDimensions => Axes().Select(a => a.Name).ToArray();

    /// <summary>Each swept setting's dimension, described (e.g. <c>StartDepth: choice[2, 3]</c>).</summary>
    public IReadOnlyDictionary<string, string> Describe() => Axes().ToDictionary(a => a.Name, a => a.Description);

    /// <summary>Every valid combination of the dimensions' grid points, in nesting order, without repeats.</summary>
    internal CandidateSet Grid(int pointsPerRange)
    {
        var axes = Axes().ToArray();
        var points = axes.Select(a => a.Grid(pointsPerRange)).ToArray();
        var builder = new CandidateSetBuilder();
        var index = new int[axes.Length];
        while (true)
        {
            var settings = FixedSettings.Clone();
            for (int i = 0; i < axes.Length; i++)
            {
                axes[i].Apply(settings, points[i][index[i]]);
            }

            builder.Offer(settings);

            int axis = axes.Length - 1;
            while (axis >= 0 && ++index[axis] == points[axis].Count)
            {
                index[axis] = 0;
                axis--;
            }

            if (axis < 0)
            {
                break;
            }
        }

        return builder.Build();
    }

    /// <summary>
    /// Up to <paramref name="count"/> distinct valid candidates drawn at random. Invalid draws and repeats are
    /// skipped; drawing stops early when a small space is exhausted (after a bounded number of draws).
    /// </summary>
    internal CandidateSet Sample(int count, int seed)
    {
        var axes = Axes().ToArray();
        var random = new SweepRandom(seed);
        var builder = new CandidateSetBuilder();
        long maxDraws = Math.Max(1_000L, 100L * count);
        for (long draw = 0; draw < maxDraws && builder.Count < count; draw++)
        {
            var settings = FixedSettings.Clone();
            foreach (var axis in axes)
            {
                axis.Apply(settings, axis.Sample(random));
            }

            builder.Offer(settings);
        }

        return builder.Build();
    }

    private IEnumerable<Axis> Axes()
    {
        if (StartDepth is { } startDepth)
        {
            yield return Axis.Of(nameof(StartDepth), startDepth, (s, v) => s.StartDepth = v);
        }

        if (LayersPerStage is { } layersPerStage)
        {
            yield return Axis.Of(nameof(LayersPerStage), layersPerStage, (s, v) => s.LayersPerStage = v);
        }

        if (StepAllocation is { } allocation)
        {
            yield return Axis.Of(nameof(StepAllocation), allocation, (s, v) => s.StepAllocation = v);
        }

        if (NewLayers is { } newLayers)
        {
            yield return Axis.Of(nameof(NewLayers), newLayers, (s, v) => s.NewLayers = v);
        }

        if (FinalStageFraction is { } finalStage)
        {
            yield return Axis.Of(nameof(FinalStageFraction), finalStage, (s, v) => s.FinalStageFraction = v);
        }

        if (TrainEmbeddingsInLaterStages is { } embeddings)
        {
            yield return Axis.Of(nameof(TrainEmbeddingsInLaterStages), embeddings, (s, v) => s.TrainEmbeddingsInLaterStages = v);
        }

        if (ResetOptimizerStateBetweenStages is { } reset)
        {
            yield return Axis.Of(nameof(ResetOptimizerStateBetweenStages), reset, (s, v) => s.ResetOptimizerStateBetweenStages = v);
        }

        if (PeakLearningRate is { } learningRate)
        {
            yield return Axis.Of(nameof(PeakLearningRate), learningRate, (s, v) => s.Schedule.PeakLearningRate = v);
        }
    }

    /// <summary>One swept setting, type-erased so the grid and the sampler can treat all alike.</summary>
    private sealed record Axis(
        string Name,
        string Description,
        Func<int, IReadOnlyList<object>> Grid,
        Func<SweepRandom, object> Sample,
        Action<MultiStagePlanSettings, object> Apply)
    {
        public static Axis Of<T>(string name, SearchDimension<T> dimension, Action<MultiStagePlanSettings, T> apply)
            where T : notnull =>
            new(name, dimension.Description, n => dimension.GridPoints(n).Select(v => (object)v).ToArray(), r => dimension.Sample(r), (s, v) => apply(s, (T)v));
    }
}
