using System.Text.Json;
using System.Text.Json.Serialization;
using MLNetExtensions.Estimators.Plans;
using MLNetExtensions.Transforms.Bert;

namespace MLNetExtensions.Estimators.Bert;

/// <summary>How a model was pre-trained: the plan, each stage's measurements and the validation curve. Saved in the model file.</summary>
public sealed record StagedTrainingReport
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The plan that was run.</summary>
    public required TrainingPlan Plan { get; init; }

    /// <summary>One entry per stage run.</summary>
    public required IReadOnlyList<StageReport> Stages { get; init; }

    /// <summary>Validation results in order.</summary>
    public required IReadOnlyList<ValidationPoint> Validations { get; init; }

    /// <summary>Training sequences and validation sequences.</summary>
    public required int TrainingSequences { get; init; }

    /// <summary>Validation sequences.</summary>
    public required int ValidationSequences { get; init; }

    /// <summary>Tokens in the training sequences.</summary>
    public required long TrainingTokens { get; init; }

    /// <summary>Scalar weights of the relaxed model, for plans that start relaxed (coarse-refined training); else null.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? RelaxedParameterCount { get; init; }

    /// <summary>Scalar weights of the original BERT a relaxed model converts to; null for plans without relaxed stages.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? FullParameterCount { get; init; }

    /// <summary>Whether training was cancelled before the plan's end.</summary>
    public bool Cancelled { get; init; }

    /// <summary>Total steps run.</summary>
    public long Steps => Stages.Sum(s => s.Steps);

    /// <summary>Total training time, validation excluded.</summary>
    public double TrainingSeconds => Stages.Sum(s => s.TrainingSeconds);

    /// <summary>The last validation loss (NaN without validation).</summary>
    public double FinalValidationLoss => Stages.Count == 0 ? double.NaN : Stages[^1].ValidationLoss;

    /// <summary>The last validation accuracy (NaN without validation).</summary>
    public double FinalValidationAccuracy => Stages.Count == 0 ? double.NaN : Stages[^1].ValidationAccuracy;

    /// <summary>The report as JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>A report from JSON.</summary>
    public static StagedTrainingReport FromJson(string json) =>
        JsonSerializer.Deserialize<StagedTrainingReport>(json, Json) ?? throw new InvalidDataException("The training report is empty.");
}

/// <summary>The training report that a pre-trained encoder carries (and its model file keeps).</summary>
public static class BertTrainingReports
{
    /// <summary>
    /// The report of the pre-training that produced <paramref name="transformer"/>: plan, per-stage metrics and the
    /// validation curve. It travels on the fitted transformer and through its model file, so a reloaded model has it too.
    /// </summary>
    /// <param name="transformer">A transformer fitted by one of the pre-training estimators (or loaded from its file).</param>
    /// <returns>The report, or null when the transformer was not trained here (for example, a converted checkpoint).</returns>
    public static StagedTrainingReport? GetTrainingReport(this BertEmbeddingTransformer transformer)
    {
        ArgumentNullException.ThrowIfNull(transformer);
        if (transformer.TrainingRecordJson is not { } json)
        {
            return null;
        }

        try
        {
            return StagedTrainingReport.FromJson(json);
        }
        catch (JsonException)
        {
            return null; // the record of a converted checkpoint, not of pre-training
        }
    }
}
