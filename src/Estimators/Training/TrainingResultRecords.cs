using System.Text.Json;
using System.Text.Json.Serialization;
using MLNetExtensions.Transforms.Classification;
using MLNetExtensions.Transforms.ModelFiles;
using MLNetExtensions.Transforms.Sequences;

namespace MLNetExtensions.Estimators.Training;

/// <summary>
/// What a single training run did (<see cref="TrainingResult"/>: steps, losses, validation metrics, seed), carried by
/// the transformer it fitted and kept in that transformer's model file, so a model loaded from its file still says how
/// it was trained.
/// </summary>
public static class TrainingResultRecords
{
    private static readonly JsonSerializerOptions Json = new()
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The result of the run that fitted <paramref name="transformer"/> (also after a model-file reload), or null when it has none.</summary>
    /// <param name="transformer">A transformer fitted by one of the BERT classification trainers.</param>
    public static TrainingResult? GetTrainingResult(this BertClassificationTransformer transformer) => Read(transformer);

    /// <summary>The result of the run that fitted <paramref name="transformer"/> (also after a model-file reload), or null when it has none.</summary>
    /// <param name="transformer">A transformer fitted by the persistent-memory RNN trainers.</param>
    public static TrainingResult? GetTrainingResult(this PersistentMemoryRnnTransformer transformer) => Read(transformer);

    /// <summary>Attaches <paramref name="result"/> to the transformer it fitted.</summary>
    internal static TTransformer WithTrainingResult<TTransformer>(this TTransformer transformer, TrainingResult result)
        where TTransformer : TensorMappingTransformer
    {
        transformer.AttachTrainingRecord(JsonSerializer.Serialize(result, Json));
        return transformer;
    }

    private static TrainingResult? Read(TensorMappingTransformer transformer)
    {
        ArgumentNullException.ThrowIfNull(transformer);
        if (transformer.TrainingRecordJson is not { } json)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<TrainingResult>(json, Json);
        }
        catch (JsonException)
        {
            return null; // a record of another kind (a converted checkpoint, say)
        }
    }
}
