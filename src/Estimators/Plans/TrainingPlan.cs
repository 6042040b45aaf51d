using System.Text.Json;
using System.Text.Json.Serialization;

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
    /// <exception cref="InvalidDataException">The JSON is not a plan.</exception>
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

        plan.Validate();
        return plan;
    }

    /// <summary>Throws an exception naming the first stage and setting that is invalid.</summary>
    public void Validate()
    {
        if (Stages.Count == 0)
        {
            throw new ArgumentException($"Plan '{Name}' has no stages.", nameof(Stages));
        }

        // Stages first: the schedule's checks depend on the total of their steps.
        int previousDepth = 0;
        EncoderArchitecture? previousArchitecture = null;
        for (int i = 0; i < Stages.Count; i++)
        {
            var stage = Stages[i];
            string where = $"Plan '{Name}', stage {i} ('{stage.Name}')";
            if (stage.Depth <= 0)
            {
                throw new ArgumentOutOfRangeException(nameof(TrainingStage.Depth), stage.Depth, $"{where}: Depth must be at least 1 encoder layer.");
            }

            if (stage.Depth < previousDepth)
            {
                throw new ArgumentOutOfRangeException(nameof(TrainingStage.Depth), stage.Depth, $"{where}: Depth {stage.Depth} is below the previous stage's {previousDepth}; plans only grow the encoder.");
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

        if (Schedule.PeakLearningRate <= 0 || double.IsNaN(Schedule.PeakLearningRate))
        {
            throw new ArgumentOutOfRangeException(nameof(LearningRateScheduleSettings.PeakLearningRate), Schedule.PeakLearningRate, $"Plan '{Name}': the peak learning rate must be positive.");
        }

        if (Schedule.WarmupSteps < 0 || Schedule.WarmupSteps > TotalSteps)
        {
            throw new ArgumentOutOfRangeException(nameof(LearningRateScheduleSettings.WarmupSteps), Schedule.WarmupSteps, $"Plan '{Name}': warm-up steps must lie between 0 and the plan's {TotalSteps} steps.");
        }

        if (Schedule.FinalFraction is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(LearningRateScheduleSettings.FinalFraction), Schedule.FinalFraction, $"Plan '{Name}': the final learning-rate fraction must lie in [0, 1].");
        }
    }
}
