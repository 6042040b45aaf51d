using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExtensions.Estimators.Training;
using static TorchSharp.torch;

namespace MLNetExtensions.Estimators.Ids;

/// <summary>
/// The paper's objective, negated for minimisation and averaged per update:
/// mean over pairs of −[log σ(s(i, j)) + Σ_{S negatives j′} log σ(−s(i, j′))]
/// + α · mean over the rows' target positions of −log σ(Σ_k w_ik e_i1ᵀ M_k e_ik) + β Σ_k ‖M_k‖².
/// Negatives come from the step's generator, so a seed fixes the run.
/// </summary>
internal sealed class IdEmbeddingObjective : TrainingObjective<SkipGramBatch>
{
    private readonly IdEmbeddingNetwork _network;
    private readonly NegativeSampler _sampler;
    private readonly int _window;
    private readonly int _negatives;
    private readonly double _alpha;
    private readonly double _beta;
    private readonly Device _device;

    public IdEmbeddingObjective(IdEmbeddingNetwork network, NegativeSampler sampler, int window, int negatives, double alpha, double beta, Device device)
    {
        _network = network;
        _sampler = sampler;
        _window = window;
        _negatives = negatives;
        _alpha = alpha;
        _beta = beta;
        _device = device;
    }

    /// <inheritdoc />
    public override IReadOnlyList<ColumnRequirement> RequiredColumns { get; } = new[]
    {
        ColumnRequirement.Vector(nameof(SkipGramRows.Row.Items), NumberDataViewType.Int32),
        ColumnRequirement.Scalar(nameof(SkipGramRows.Row.Prefix), NumberDataViewType.Int32),
    };

    /// <inheritdoc />
    public override IBatchBuilder<SkipGramBatch> CreateBatchBuilder(DataViewRowCursor cursor) => new SkipGramBatchBuilder(cursor, _window, _device);

    /// <inheritdoc />
    public override Tensor ComputeLoss(SkipGramBatch batch, TrainingStepContext context)
    {
        var negatives = _sampler.Sample(batch.Targets.shape[0], _negatives, context.Generator, _device);
        return Loss(batch, negatives);
    }

    /// <summary>The loss with given negatives ([P, S]); separate so that it can be checked against a hand computation.</summary>
    internal Tensor Loss(SkipGramBatch batch, Tensor negatives)
    {
        var candidates = cat(new[] { batch.Contexts.unsqueeze(1), negatives }, 1);
        var scores = _network.ContextScores(batch.Targets, candidates);
        var positive = nn.functional.logsigmoid(scores.select(1, 0));
        var negative = nn.functional.logsigmoid(-scores.narrow(1, 1, _negatives)).sum(1);
        var loss = -(positive + negative).mean();
        if (_network.AttributeCount > 0)
        {
            if (_alpha > 0)
            {
                loss = loss - _alpha * nn.functional.logsigmoid(_network.StructuralScores(batch.Anchors)).mean();
            }

            if (_beta > 0)
            {
                loss = loss + _beta * _network.TransitionPenalty();
            }
        }

        return loss;
    }
}
