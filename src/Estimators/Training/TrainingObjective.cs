using Microsoft.ML;
using static TorchSharp.torch;

namespace MLNetExtensions.Estimators.Training;

/// <summary>
/// A convenient base class for objectives: implements <see cref="ITrainingObjective{TBatch}"/> with a virtual
/// <see cref="Evaluate"/>.
/// </summary>
/// <typeparam name="TBatch">The batch type.</typeparam>
/// <remarks>
/// Prefer this over implementing the interface directly when objectives form a class hierarchy: the interface's
/// default <c>Evaluate</c> is only replaced by a method declared on the class that lists the interface, so a
/// subclass's own <c>Evaluate</c> would otherwise be silently ignored; here it is a normal override.
/// </remarks>
public abstract class TrainingObjective<TBatch> : ITrainingObjective<TBatch>
{
    /// <inheritdoc/>
    public abstract IReadOnlyList<ColumnRequirement> RequiredColumns { get; }

    /// <inheritdoc/>
    public abstract IBatchBuilder<TBatch> CreateBatchBuilder(DataViewRowCursor cursor);

    /// <inheritdoc/>
    public abstract Tensor ComputeLoss(TBatch batch, TrainingStepContext context);

    /// <inheritdoc/>
    public virtual IReadOnlyDictionary<string, double>? Evaluate(IDataView validationData, TrainingStepContext context) => null;
}
