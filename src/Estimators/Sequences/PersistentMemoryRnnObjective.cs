using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExtensions.Estimators.Training;
using MLNetExtensions.Transforms.Sequences;
using static TorchSharp.torch;

namespace MLNetExtensions.Estimators.Sequences;

/// <summary>A batch of padded sequences with their targets.</summary>
/// <param name="X">float32 [rows, steps, D].</param>
/// <param name="Lengths">int64 [rows].</param>
/// <param name="Targets">int64 [rows] classes, or float32 [rows] regression targets.</param>
internal sealed record SequenceBatch(Tensor X, Tensor Lengths, Tensor Targets);

/// <summary>
/// Training of a <see cref="PersistentMemoryRnn"/> for the training engine: softmax cross-entropy over the classes, or
/// the mean squared error of a regression target. The validation metric is the engine's mean validation loss.
/// </summary>
internal sealed class PersistentMemoryRnnObjective : TrainingObjective<SequenceBatch>
{
    private readonly PersistentMemoryRnn _model;
    private readonly string _featureColumn;
    private readonly SequenceTarget _target;
    private readonly Device _device;

    public PersistentMemoryRnnObjective(PersistentMemoryRnn model, string featureColumn, SequenceTarget target, Device device)
    {
        _model = model;
        _featureColumn = featureColumn;
        _target = target;
        _device = device;
        RequiredColumns = new[] { FeatureRequirement(featureColumn), target.Requirement };
    }

    /// <inheritdoc />
    public override IReadOnlyList<ColumnRequirement> RequiredColumns { get; }

    /// <summary>The sequence column: a vector of Single of any size.</summary>
    public static ColumnRequirement FeatureRequirement(string column) =>
        new(column, "Vector<Single> (a sequence)", type => type is VectorDataViewType vector && vector.ItemType == NumberDataViewType.Single);

    /// <inheritdoc />
    public override IBatchBuilder<SequenceBatch> CreateBatchBuilder(DataViewRowCursor cursor) => new Builder(this, cursor);

    /// <inheritdoc />
    public override Tensor ComputeLoss(SequenceBatch batch, TrainingStepContext context)
    {
        var outputs = _model.forward(batch.X, batch.Lengths);
        return _target.IsClassification
            ? nn.functional.cross_entropy(outputs, batch.Targets)
            : nn.functional.mse_loss(outputs.squeeze(1), batch.Targets);
    }

    /// <summary>Reads sequences (checked as inference checks them) and targets row by row; builds tensors per batch.</summary>
    private sealed class Builder : IBatchBuilder<SequenceBatch>
    {
        private readonly PersistentMemoryRnnObjective _owner;
        private readonly ValueGetter<VBuffer<float>> _features;
        private readonly Func<float> _target;
        private readonly List<float[]> _sequences = new();
        private readonly List<float> _targets = new();
        private VBuffer<float> _buffer;

        public Builder(PersistentMemoryRnnObjective owner, DataViewRow row)
        {
            _owner = owner;
            _features = row.GetGetter<VBuffer<float>>(row.Schema[owner._featureColumn]);
            _target = owner._target.CreateReader(row);
        }

        public int Count => _sequences.Count;

        public void Append()
        {
            _features(ref _buffer);
            var values = new float[_buffer.Length];
            _buffer.CopyTo(values);
            SequenceTensors.Check(values, _owner._model.Config.StepSize, _owner._featureColumn);
            _targets.Add(_target());
            _sequences.Add(values);
        }

        public SequenceBatch Build()
        {
            var (x, lengths) = SequenceTensors.Pad(_sequences, _owner._model.Config.StepSize, _owner._device);
            var targets = _owner._target.IsClassification
                ? tensor(_targets.Select(t => (long)t).ToArray()).to(_owner._device)
                : tensor(_targets.ToArray()).to(_owner._device);
            _sequences.Clear();
            _targets.Clear();
            return new SequenceBatch(x, lengths, targets);
        }
    }
}
