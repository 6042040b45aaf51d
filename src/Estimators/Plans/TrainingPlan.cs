using System.Text.Json;
using System.Text.Json.Serialization;
using MLNetExtensions.Estimators.Training;
using MLNetExtensions.Transforms.Bert;

namespace MLNetExtensions.Estimators.Plans;

/// <summary>
/// Staged training as data: an ordered list of <see cref="TrainingStage"/>s sharing one learning-rate schedule.
/// The full-depth baseline, multi-stage layerwise training (MSLT), Progressive Stacking and coarse-refined
/// training are plans run by the same code; sweeps generate plans. Serialises to JSON, and a trained model
/// records the plan that produced it.
/// </summary>
public sealed class TrainingPlan
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>A name for reports (e.g. "baseline", "mslt").</summary>
    public string Name { get; set; } = "plan";

    /// <summary>The stages, in order.</summary>
    public List<TrainingStage> Stages { get; set; } = new();

    /// <summary>The learning-rate schedule across all stages.</summary>
    public LearningRateScheduleSettings Schedule { get; set; } = new();

    /// <summary>
    /// The relaxed form (fast attention, feed-forward rank) the plan's relaxed stages train in coarse-refined
    /// training; null when the plan has no relaxed stage, or to use <see cref="BertRelaxation"/>'s defaults.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public BertRelaxation? Relaxation { get; set; }

    /// <summary>Total optimiser steps.</summary>
    [JsonIgnore]
    public int TotalSteps => Stages.Sum(s => s.Steps);

    /// <summary>Encoder depth at the end.</summary>
    [JsonIgnore]
    public int FinalDepth => Stages.Count == 0 ? 0 : Stages[^1].Depth;

    /// <summary>
    /// The one-stage plan: every parameter of a <paramref name="depth"/>-layer encoder trains for <paramref name="steps"/> steps
    /// (default schedule: warm-up over a tenth of the steps, at most 100, then linear decay).
    /// </summary>
    public static TrainingPlan FullDepth(int depth, int steps, LearningRateScheduleSettings? schedule = null) => new()
    {
        Name = "full-depth",
        Schedule = schedule ?? new LearningRateScheduleSettings { WarmupSteps = Math.Min(100, steps / 10) },
        Stages = { new TrainingStage { Name = "full", Depth = depth, Steps = steps } },
    };

    /// <summary>The plan as JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>A plan from JSON; validated.</summary>
    /// <exception cref="InvalidDataException">
    /// The JSON is not a plan, or the plan is invalid (the message names the field; the inner exception is <see cref="Validate"/>'s).
    /// </exception>
    public static TrainingPlan FromJson(string json)
    {
        TrainingPlan? plan;
        try
        {
            plan = JsonSerializer.Deserialize<TrainingPlan>(json, Json);
        }
        catch (JsonException exception)
        {
            throw new InvalidDataException($"Not a training plan: {exception.Message}", exception);
        }

        if (plan is null)
        {
            throw new InvalidDataException("Not a training plan: the JSON is null.");
        }

        try
        {
            plan.Validate();
        }
        catch (ArgumentException exception)
        {
            throw new InvalidDataException($"Not a valid training plan: {exception.Message}", exception);
        }

        return plan;
    }

    /// <summary>
    /// The stages as <see cref="StagedRunner"/> runs them: each takes the next steps of its schedule (the plan's,
    /// or the one the latest stage at or before it set).
    /// </summary>
    public IReadOnlyList<StagedRunStage> ToRunnerStages()
    {
        var stages = new List<StagedRunStage>();
        foreach (var (schedule, first, steps) in ScheduleSegments())
        {
            long offset = 0;
            for (int k = first; k < Stages.Count && (k == first || Stages[k].Schedule is null); k++)
            {
                stages.Add(new StagedRunStage
                {
                    Name = Stages[k].Name,
                    Steps = Stages[k].Steps,
                    ResetOptimizerState = Stages[k].ResetOptimizerState,
                    PeakLearningRate = schedule.PeakLearningRate,
                    WarmupSteps = schedule.WarmupSteps,
                    Decay = schedule.Decay,
                    FinalFraction = schedule.FinalFraction,
                    ScheduleOffsetSteps = offset,
                    ScheduleTotalSteps = steps,
                });
                offset += Stages[k].Steps;
            }
        }

        return stages;
    }

    /// <summary>The schedules in order, each with its first stage and its length in steps.</summary>
    internal IEnumerable<(LearningRateScheduleSettings Schedule, int FirstStage, long Steps)> ScheduleSegments()
    {
        int first = 0;
        while (first < Stages.Count)
        {
            int end = first + 1;
            while (end < Stages.Count && Stages[end].Schedule is null)
            {
                end++;
            }

            yield return (Stages[first].Schedule ?? Schedule, first, Stages.Skip(first).Take(end - first).Sum(s => (long)s.Steps));
            first = end;
        }
    }

    /// <summary>Throws an exception naming the first stage and setting that is invalid.</summary>
    /// <exception cref="ArgumentException">A stage or setting is missing, out of range or contradicts another.</exception>
    public void Validate()
    {
        if (Stages is null || Stages.Count == 0)
        {
            throw new ArgumentException($"Plan '{Name}' has no stages.", nameof(Stages));
        }

        // Stages first: the schedule's checks depend on the total of their steps.
        int previousDepth = 0;
        EncoderArchitecture? previousArchitecture = null;
        for (int i = 0; i < Stages.Count; i++)
        {
            var stage = Stages[i];
            if (stage is null)
            {
                throw new ArgumentNullException(nameof(Stages), $"Plan '{Name}', stage {i} is null.");
            }

            string where = $"Plan '{Name}', stage {i} ('{stage.Name}')";
            if (!Enum.IsDefined(stage.Architecture))
            {
                throw new ArgumentOutOfRangeException(nameof(TrainingStage.Architecture), stage.Architecture, $"{where}: Architecture must be Full or Relaxed (was {stage.Architecture}).");
            }

            if (!Enum.IsDefined(stage.NewLayers))
            {
                throw new ArgumentOutOfRangeException(nameof(TrainingStage.NewLayers), stage.NewLayers, $"{where}: NewLayers must be CopyTopLayers or Random (was {stage.NewLayers}).");
            }

            if (stage.Depth <= 0)
            {
                throw new ArgumentOutOfRangeException(nameof(TrainingStage.Depth), stage.Depth, $"{where}: Depth must be at least 1 encoder layer.");
            }

            if (stage.Depth < previousDepth)
            {
                throw new ArgumentOutOfRangeException(nameof(TrainingStage.Depth), stage.Depth, $"{where}: Depth {stage.Depth} is below the previous stage's {previousDepth}; plans only grow the encoder.");
            }

            // Stage 0 builds the model at its depth; only later stages add layers.
            if (i > 0 && !TrainingStage.CanAddLayers(stage.NewLayers, previousDepth, stage.Depth - previousDepth))
            {
                throw new ArgumentOutOfRangeException(
                    nameof(TrainingStage.NewLayers),
                    stage.NewLayers,
                    $"{where}: NewLayers CopyTopLayers can copy at most the {previousDepth} existing layers, so Depth may grow from {previousDepth} to at most {2 * previousDepth} (was {stage.Depth}); grow less per stage or use NewLayers Random.");
            }

            if (stage.Steps <= 0)
            {
                throw new ArgumentOutOfRangeException(nameof(TrainingStage.Steps), stage.Steps, $"{where}: Steps must be positive.");
            }

            if (stage.TrainableTopLayers is <= 0)
            {
                throw new ArgumentOutOfRangeException(nameof(TrainingStage.TrainableTopLayers), stage.TrainableTopLayers, $"{where}: TrainableTopLayers must be positive, or null for all layers.");
            }

            if (previousArchitecture == EncoderArchitecture.Full && stage.Architecture == EncoderArchitecture.Relaxed)
            {
                throw new ArgumentException($"{where}: a relaxed stage cannot follow a full one (relaxed → full conversion only goes one way).", nameof(TrainingStage.Architecture));
            }

            previousDepth = stage.Depth;
            previousArchitecture = stage.Architecture;
        }

        if (Relaxation is { } relaxation)
        {
            if (!Enum.IsDefined(relaxation.Attention))
            {
                throw new ArgumentOutOfRangeException(nameof(BertRelaxation.Attention), relaxation.Attention, $"Plan '{Name}': the relaxation's Attention must be Linear or LowRankProjection.");
            }

            if (relaxation.FeedForwardRank < 1 || relaxation.ProjectedLength < 1)
            {
                throw new ArgumentOutOfRangeException(
                    relaxation.FeedForwardRank < 1 ? nameof(BertRelaxation.FeedForwardRank) : nameof(BertRelaxation.ProjectedLength),
                    $"Plan '{Name}': the relaxation's FeedForwardRank and ProjectedLength must be at least 1 (were {relaxation.FeedForwardRank} and {relaxation.ProjectedLength}).");
            }
        }

        // Required even when stage 0 starts its own schedule: copies and scaling read it.
        LearningRateScheduleSettings.Require(Schedule, $"Plan '{Name}': ", nameof(Schedule));
        foreach (var (schedule, first, steps) in ScheduleSegments())
        {
            bool planSchedule = first == 0 && Stages[0].Schedule is null;
            LearningRateScheduleSettings.Validate(
                schedule,
                planSchedule ? $"Plan '{Name}': " : $"Plan '{Name}', stage {first} ('{Stages[first].Name}'): ",
                nameof(Schedule),
                steps,
                planSchedule && steps == TotalSteps ? "the plan's steps" : "the steps it spans");
        }
    }
}
