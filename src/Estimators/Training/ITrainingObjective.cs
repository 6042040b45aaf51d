using Microsoft.ML;
using static TorchSharp.torch;

namespace MLNetExtensions.Estimators.Training;

/// <summary>
/// What an estimator supplies to <see cref="TrainingEngine"/>: which columns it reads, how rows become a batch,
/// and how a batch becomes a scalar loss. The model itself and the trainable parameter groups are passed to
/// <see cref="TrainingEngine.Train{TBatch}"/> separately.
/// </summary>
/// <typeparam name="TBatch">The batch type, for example a record of tensors.</typeparam>
/// <remarks>
/// The objective places batch tensors on the model's device; the engine itself is device-agnostic. When objectives
/// inherit from one another, derive from <see cref="TrainingObjective{TBatch}"/>: a subclass's own <c>Evaluate</c>
/// does not replace this interface's default implementation unless the subclass re-lists the interface.
/// </remarks>
public interface ITrainingObjective<TBatch>
{
    /// <summary>
    /// The columns the batch builder reads, with their expected types. The engine checks them against the
    /// training and validation data before training starts and activates only these columns on the cursors.
    /// </summary>
    IReadOnlyList<ColumnRequirement> RequiredColumns { get; }

    /// <summary>Creates a builder that reads rows of <paramref name="cursor"/> into batches.</summary>
    /// <param name="cursor">A cursor over a data view whose schema satisfies <see cref="RequiredColumns"/>.</param>
    /// <returns>A builder bound to <paramref name="cursor"/>.</returns>
    IBatchBuilder<TBatch> CreateBatchBuilder(DataViewRowCursor cursor);

    /// <summary>
    /// Runs the model on <paramref name="batch"/> and returns the scalar loss to minimise. Called inside a dispose
    /// scope, in training mode for training steps (the engine calls <c>backward</c>) and in evaluation mode under
    /// <c>no_grad</c> for the default validation loss.
    /// </summary>
    /// <param name="batch">A batch produced by the objective's builder.</param>
    /// <param name="context">The step: index, epoch, a per-step seed and generator for any sampling.</param>
    /// <returns>A tensor with one element.</returns>
    Tensor ComputeLoss(TBatch batch, TrainingStepContext context);

    /// <summary>
    /// Computes validation metrics; the engine calls it in evaluation mode under <c>no_grad</c>. Return
    /// <see langword="null"/> (the default) to let the engine compute the mean of <see cref="ComputeLoss"/> over
    /// the validation rows, reported as <see cref="TrainingMetricNames.ValidationLoss"/>.
    /// </summary>
    /// <param name="validationData">The validation data passed to the engine.</param>
    /// <param name="context">The step at which validation runs; <see cref="TrainingStepContext.IsTraining"/> is false.</param>
    /// <returns>Named metrics, or <see langword="null"/> for the engine's default.</returns>
    IReadOnlyDictionary<string, double>? Evaluate(IDataView validationData, TrainingStepContext context) => null;
}
