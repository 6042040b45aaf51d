using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExtensions.Estimators.Training;
using static TorchSharp.torch;

namespace MLNetExtensions.Estimators.Ids;

/// <summary>
/// The paper's objective, negated for minimisation and averaged per update:
/// mean over window pairs (i, j) of −[log σ(s(i, j)) + Σ_{S negatives j′} log σ(−s(i, j′))]
/// + α · mean over the rows' target positions of −log σ(Σ_k w_ik e_i1ᵀ M_k e_ik) + β Σ_k ‖M_k‖²,
/// with s(i, j) = Σ_k (w_jk e′_jk)ᵀ (w_ik e_ik). Pairs are formed from slices of the flattened rows (position j − d against j),
/// not gathered one by one, and the S negatives are drawn per target occurrence and shared by the (up to 2C) pairs that
/// occurrence is the target of, each pair counting them once: the same expected gradient as per-pair draws with 2C times
/// fewer table lookups (word2vec draws per pair). Negatives come from the step's generator, so a seed fixes the run.
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
    public override IBatchBuilder<SkipGramBatch> CreateBatchBuilder(DataViewRowCursor cursor) => new SkipGramBatchBuilder(cursor, _device);

    /// <inheritdoc />
    public override Tensor ComputeLoss(SkipGramBatch batch, TrainingStepContext context)
    {
        var negatives = _sampler.Sample(batch.Items.shape[0], _negatives, context.Generator, _device);
        return Loss(batch, negatives);
    }

    /// <summary>The loss with given negatives ([n, S], per position); separate so that it can be checked against a hand computation.</summary>
    internal Tensor Loss(SkipGramBatch batch, Tensor negatives)
    {
        long n = batch.Items.shape[0];
        var x = _network.TargetVectors(batch.Items);
        var y = _network.ContextVectors(batch.Items);
        var pairsAsTarget = zeros(n, device: x.device);
        Tensor positive = zeros(1, device: x.device).squeeze();
        int d = 1;
        foreach (var validPairs in batch.ValidPairs(_window))
        {
            var valid = validPairs.to(ScalarType.Float32);
            var forward = (x.narrow(0, 0, n - d) * y.narrow(0, d, n - d)).sum(1);   // target j − d, context j
            var backward = (x.narrow(0, d, n - d) * y.narrow(0, 0, n - d)).sum(1);  // target j, context j − d
            positive = positive - (nn.functional.logsigmoid(forward) * valid).sum() - (nn.functional.logsigmoid(backward) * valid).sum();
            var none = zeros(d, device: x.device);
            pairsAsTarget = pairsAsTarget + cat(new[] { valid, none }, 0) + cat(new[] { none, valid }, 0);
            d++;
        }

        var negativeVectors = _network.ContextVectors(negatives.reshape(-1)).view(n, _negatives, -1);
        var negativeScores = (negativeVectors * x.unsqueeze(1)).sum(2);
        var negative = -(nn.functional.logsigmoid(-negativeScores).sum(1) * pairsAsTarget).sum();
        var loss = (positive + negative) / pairsAsTarget.sum().clamp_min(1);
        if (_network.AttributeCount > 0)
        {
            if (_alpha > 0)
            {
                loss = loss - _alpha * nn.functional.logsigmoid(_network.StructuralScores(batch.Items.masked_select(batch.IsTarget))).mean();
            }

            if (_beta > 0)
            {
                loss = loss + _beta * _network.TransitionPenalty();
            }
        }

        return loss;
    }
}
