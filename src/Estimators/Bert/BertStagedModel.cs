using MLNetExtensions.Estimators.Plans;
using MLNetExtensions.Estimators.Training;
using MLNetExtensions.Transforms.Bert;
using static TorchSharp.torch;

namespace MLNetExtensions.Estimators.Bert;

/// <summary>
/// The BERT side of a staged plan for <see cref="StagedRunner"/>: a stage grows the encoder to its depth (new
/// layers copied from the top ones or freshly initialised), the first full stage after relaxed ones converts the
/// relaxed model into the original BERT (<see cref="RelaxedBertConversion"/>), the stage's top layers, embeddings
/// and head train, and the layers below the lowest trainable one run forward-only.
/// </summary>
internal sealed class BertStagedModel : IStagedModel<MaskedLanguageModelBatch>
{
    private readonly TrainingPlan _plan;
    private readonly int _seed;
    private readonly Action<int, IReadOnlyList<StagedRunStageResult>>? _onStageCompleted;

    public BertStagedModel(BertForMaskedLM model, TrainingPlan plan, MaskedLanguageModelObjective objective, int seed, Action<int, IReadOnlyList<StagedRunStageResult>>? onStageCompleted)
    {
        Model = model;
        Objective = objective;
        _plan = plan;
        _seed = seed;
        _onStageCompleted = onStageCompleted;
    }

    /// <summary>The model now: the one given, or the original BERT it was converted into.</summary>
    public BertForMaskedLM Model { get; private set; }

    /// <summary>The objective bound to <see cref="Model"/>.</summary>
    public MaskedLanguageModelObjective Objective { get; private set; }

    /// <inheritdoc />
    public nn.Module Module => Model;

    /// <inheritdoc />
    public void EnterStage(int stageIndex)
    {
        var stage = _plan.Stages[stageIndex];
        if (stage.Architecture == EncoderArchitecture.Full && Model.Config.Relaxation is not null)
        {
            var full = RelaxedBertConversion.ToFull(Model);
            Model = full;
            Objective = Objective.WithModel(full);
        }

        int missing = stage.Depth - Model.Bert.Encoder.Count;
        if (missing > 0)
        {
            using var generator = new Generator(unchecked((ulong)(_seed + (104729L * (stageIndex + 1)))));
            Model.Bert.Encoder.AppendLayers(missing, stage.NewLayers, generator);
        }
    }

    /// <inheritdoc />
    public StageSetup<MaskedLanguageModelBatch> ConfigureStage(int stageIndex)
    {
        var stage = _plan.Stages[stageIndex];
        Objective.FrozenBelowLayer = stage.TrainEmbeddings ? 0 : stage.Depth - stage.TrainableLayerCount;
        Objective.FreezeEmbeddings = !stage.TrainEmbeddings;
        var objective = Objective;
        return new StageSetup<MaskedLanguageModelBatch>(objective, SelectGroups(Model, stage)) { EvaluationTime = () => objective.EvaluationTime };
    }

    /// <inheritdoc />
    public void OnStageCompleted(int stageIndex, IReadOnlyList<StagedRunStageResult> completed) => _onStageCompleted?.Invoke(stageIndex, completed);

    /// <summary>
    /// The trainable parameter groups of a stage: the top layers, and the embeddings and head when the stage trains them;
    /// each split so that its biases and layer norms get no weight decay (<see cref="ParameterGroup.SplitByWeightDecay"/>).
    /// </summary>
    public static IReadOnlyList<ParameterGroup> SelectGroups(BertForMaskedLM model, TrainingStage stage)
    {
        int lowestTrainable = stage.Depth - stage.TrainableLayerCount;
        var groups = new List<ParameterGroup>();
        foreach (var group in model.GetParameterGroups())
        {
            bool trains = group.Kind switch
            {
                BertParameterGroupKind.Embeddings => stage.TrainEmbeddings,
                BertParameterGroupKind.EncoderLayer => group.LayerIndex >= lowestTrainable,
                BertParameterGroupKind.MlmHead => stage.TrainHead,
                _ => false,
            };
            if (trains)
            {
                groups.AddRange(ParameterGroup.SplitByWeightDecay(group.Name, group.Parameters.Select(p => p.Parameter)));
            }
        }

        return groups;
    }
}
