
namespace MLNetExtensions.Estimators.Training;

/// <summary>A progress report of staged pre-training: the engine's report plus where in the plan it is.</summary>
/// <param name="StageIndex">The stage running.</param>
/// <param name="StageCount">Stages in the plan.</param>
/// <param name="StageName">The stage's name.</param>
/// <param name="StepsBeforeStage">Plan steps done before this stage.</param>
/// <param name="PlanSteps">Steps of the whole plan.</param>
/// <param name="Engine">The engine's report for the stage's run.</param>
public sealed record StagedTrainingProgress(int StageIndex, int StageCount, string StageName, long StepsBeforeStage, long PlanSteps, TrainingProgress Engine)
{
    /// <summary>Steps done across the plan.</summary>
    public long PlanStep => StepsBeforeStage + Engine.Step;
}
