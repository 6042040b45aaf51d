namespace MLNetExtensions.Estimators.Bert;

/// <summary>One validation during staged pre-training: the loss curve against training time.</summary>
/// <param name="Stage">The stage index.</param>
/// <param name="Step">Steps done across the plan.</param>
/// <param name="TrainingSeconds">Training time so far across the plan, validation excluded.</param>
/// <param name="Loss">Validation masked-LM loss.</param>
/// <param name="Accuracy">Validation masked-LM accuracy.</param>
public sealed record ValidationPoint(int Stage, long Step, double TrainingSeconds, double Loss, double Accuracy);
