using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExtensions.Estimators.Training;
using static TorchSharp.torch;

namespace MLNetExtensions.Tests.Training.Support;

/// <summary>Mean squared error of <see cref="TinyRegressor"/>; records the ids of the training batches it sees.</summary>
public class RegressionObjective : TrainingObjective<RegressionBatch>
{
    private readonly nn.Module<Tensor, Tensor> _model;

    /// <summary>Creates the objective for <paramref name="model"/>.</summary>
    public RegressionObjective(nn.Module<Tensor, Tensor> model) => _model = model;

    /// <summary>Ids of the training batches, in order.</summary>
    public List<int[]> SeenBatches { get; } = new();

    /// <inheritdoc/>
    public override IReadOnlyList<ColumnRequirement> RequiredColumns { get; } =
    [
        ColumnRequirement.Vector("Features", NumberDataViewType.Single, RegressionData.FeatureCount),
        ColumnRequirement.Scalar("Label", NumberDataViewType.Single),
        ColumnRequirement.Scalar("Id", NumberDataViewType.Int32),
    ];

    /// <inheritdoc/>
    public override IBatchBuilder<RegressionBatch> CreateBatchBuilder(DataViewRowCursor cursor) => new Builder(cursor);

    /// <inheritdoc/>
    public override Tensor ComputeLoss(RegressionBatch batch, TrainingStepContext context)
    {
        if (context.IsTraining)
        {
            SeenBatches.Add(batch.Ids);
        }

        return nn.functional.mse_loss(_model.forward(batch.Features), batch.Labels);
    }

    private sealed class Builder : IBatchBuilder<RegressionBatch>
    {
        private readonly ValueGetter<VBuffer<float>> _features;
        private readonly ValueGetter<float> _label;
        private readonly ValueGetter<int> _id;
        private readonly List<float> _x = new();
        private readonly List<float> _y = new();
        private readonly List<int> _ids = new();
        private VBuffer<float> _buffer;

        public Builder(DataViewRowCursor cursor)
        {
            _features = cursor.GetGetter<VBuffer<float>>(cursor.Schema["Features"]);
            _label = cursor.GetGetter<float>(cursor.Schema["Label"]);
            _id = cursor.GetGetter<int>(cursor.Schema["Id"]);
        }

        public int Count => _ids.Count;

        public void Append()
        {
            _features(ref _buffer);
            foreach (float value in _buffer.DenseValues())
            {
                _x.Add(value);
            }

            float label = 0;
            _label(ref label);
            _y.Add(label);
            int id = 0;
            _id(ref id);
            _ids.Add(id);
        }

        public RegressionBatch Build()
        {
            var batch = new RegressionBatch(
                tensor(_x.ToArray(), new long[] { _ids.Count, RegressionData.FeatureCount }),
                tensor(_y.ToArray()),
                _ids.ToArray());
            _x.Clear();
            _y.Clear();
            _ids.Clear();
            return batch;
        }
    }
}
