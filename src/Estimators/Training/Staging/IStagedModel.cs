using static TorchSharp.torch;

namespace MLNetExtensions.Estimators.Training;

/// <summary>
/// The model side of staged training, all that <see cref="StagedRunner"/> needs to know about a model: how it
/// changes between stages (grows, converts), and what trains in a stage (objective, trainable parameter groups,
/// forward-only parts). The runner owns everything else: the shared schedule, optimiser-state carry, per-stage
/// checkpoints, the plan state file and resume.
/// </summary>
/// <typeparam name="TBatch">The objective's batch type.</typeparam>
public interface IStagedModel<TBatch>
{
    /// <summary>The module trained now; checkpoints hold its tensors. It may be a new object after <see cref="EnterStage"/>.</summary>
    nn.Module Module { get; }

    /// <summary>
    /// Changes the model from stage <paramref name="stageIndex"/> − 1's form into stage <paramref name="stageIndex"/>'s
    /// (grow, convert; nothing when they are equal). Called once per stage, in order, before
    /// <see cref="ConfigureStage"/>; on resume it is replayed for the stages already run (the checkpoint's tensors
    /// then replace the weights), so it must depend only on the stage index and the model's current form.
    /// </summary>
    void EnterStage(int stageIndex);

    /// <summary>
    /// The objective and trainable parameter groups of stage <paramref name="stageIndex"/>; parameters in no group
    /// are frozen. The model also sets which parts run forward-only (under no_grad) here.
    /// </summary>
    StageSetup<TBatch> ConfigureStage(int stageIndex);

    /// <summary>Called after each stage with the results so far (those restored on resume included); for logging.</summary>
    void OnStageCompleted(int stageIndex, IReadOnlyList<StagedRunStageResult> completed)
    {
    }
}

/// <summary>What trains in one stage.</summary>
/// <typeparam name="TBatch">The objective's batch type.</typeparam>
/// <param name="Objective">The objective bound to the current module.</param>
/// <param name="TrainableGroups">The parameters that train; all others are frozen for the stage.</param>
public sealed record StageSetup<TBatch>(ITrainingObjective<TBatch> Objective, IReadOnlyList<ParameterGroup> TrainableGroups)
{
    /// <summary>The objective's cumulative validation time, subtracted from measured training time; null when none is kept.</summary>
    public Func<TimeSpan>? EvaluationTime { get; init; }
}
