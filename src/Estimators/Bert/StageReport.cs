namespace MLNetExtensions.Estimators.Bert;

/// <summary>What one stage of a staged pre-training did.</summary>
public sealed record StageReport
{
    /// <summary>The stage's name in the plan.</summary>
    public required string Name { get; init; }

    /// <summary>Encoder layers in the stage.</summary>
    public required int Depth { get; init; }

    /// <summary>Top layers that trained.</summary>
    public required int TrainableLayers { get; init; }

    /// <summary>Whether the embeddings trained.</summary>
    public required bool TrainedEmbeddings { get; init; }

    /// <summary>Optimiser steps run.</summary>
    public required long Steps { get; init; }

    /// <summary>Training time of the stage, validation excluded.</summary>
    public required double TrainingSeconds { get; init; }

    /// <summary>Measured milliseconds per step (validation excluded).</summary>
    public double MillisecondsPerStep => Steps == 0 ? 0 : TrainingSeconds * 1000 / Steps;

    /// <summary>Operations per step predicted by <see cref="BertStepCostModel"/> for the stage's average batch.</summary>
    public required double PredictedFlopsPerStep { get; init; }

    /// <summary>Mean training loss over the stage's last steps.</summary>
    public required double FinalTrainingLoss { get; init; }

    /// <summary>Scalar weights the stage trained.</summary>
    public long TrainableParameterCount { get; init; }

    /// <summary>What the stage communicated when it trained data-parallel over MPI; null when it trained alone.</summary>
    public Training.Distributed.DataParallelStatistics? DataParallel { get; init; }

    /// <summary>Validation masked-LM loss at the end of the stage (NaN without validation data).</summary>
    public required double ValidationLoss { get; init; }

    /// <summary>Validation masked-LM accuracy at the end of the stage (NaN without validation data).</summary>
    public required double ValidationAccuracy { get; init; }
}
