using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExtensions.Estimators.Training;
using static TorchSharp.torch;

namespace MLNetExtensions.Estimators.Ids;

/// <summary>
/// The paper's objective, negated for minimisation and averaged per update:
/// mean over pairs of −[log σ(s(i, j)) + Σ_{S negatives j′} log σ(−s(i, j′))]
/// + α · mean over the rows' target positions of −log σ(Σ_k w_ik e_i1ᵀ M_k e_ik) + β Σ_k ‖M_k‖².
/// </summary>
/// <remarks>
/// A row's positions are looked up once, not once per pair: the positive scores of a row are one [length × length]
/// product of its target and context vectors, of which the window band is kept. Every pair gets its own S negatives,
/// each picked uniformly from a pool of <see cref="IdEmbeddingOptions.NegativePoolSize"/> sampler draws made for its
/// row; the row's positions are scored against the whole pool with one product and each pair's picks are read from it.
/// Every negative thus follows the sampler's distribution exactly, as an independent draw would, while a row costs
/// one lookup per pool item rather than one per negative (about 500 negatives per row of 32 target positions at C = 4,
/// S = 2). Pools and picks come from the step's generator, so a seed fixes the run.
/// </remarks>
internal sealed class IdEmbeddingObjective : TrainingObjective<SkipGramBatch>
{
    private readonly IdEmbeddingNetwork _network;
    private readonly NegativeSampler _sampler;
    private readonly int _window;
    private readonly int _negatives;
    private readonly int _poolSize;
    private readonly double _alpha;
    private readonly double _beta;
    private readonly Device _device;

    public IdEmbeddingObjective(IdEmbeddingNetwork network, NegativeSampler sampler, int window, int negatives, int poolSize, double alpha, double beta, Device device)
    {
        _network = network;
        _sampler = sampler;
        _window = window;
        _negatives = negatives;
        _poolSize = poolSize;
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
        long rows = batch.Items.shape[0], length = batch.Items.shape[1];
        var pools = _sampler.Sample(rows, _poolSize, context.Generator, _device);
        var picks = randint(0, _poolSize, new[] { rows, length, 2L * _window * _negatives }, ScalarType.Int64, generator: context.Generator).to(_device);
        return Loss(batch, pools, picks);
    }

    /// <summary>
    /// The window pairs of a batch, [rows, length, length]: 1 where positions p and q are a (target, context) pair, that is
    /// 1 ≤ |p − q| ≤ C and the later of the two is a target position (the row that holds it owns the pair).
    /// </summary>
    internal static Tensor PairMask(Tensor isTarget, int window)
    {
        long length = isTarget.shape[1];
        var position = arange(length, ScalarType.Int64, isTarget.device);
        var offset = position.unsqueeze(0) - position.unsqueeze(1); // q − p
        var after = offset.ge(1).logical_and(offset.le(window));     // q later than p: q must be a target position
        var before = offset.le(-1).logical_and(offset.ge(-window));  // p later than q: p must be a target position
        return after.unsqueeze(0).logical_and(isTarget.unsqueeze(1))
            .logical_or(before.unsqueeze(0).logical_and(isTarget.unsqueeze(2)));
    }

    /// <summary>
    /// The loss with given pools ([rows, pool] item indices, one pool per row) and picks ([rows, length, 2C·S] indices into
    /// the row's pool: a position with n pairs uses its first n·S picks); separate so that it can be checked against a
    /// hand computation.
    /// </summary>
    internal Tensor Loss(SkipGramBatch batch, Tensor pools, Tensor picks)
    {
        long rows = batch.Items.shape[0], length = batch.Items.shape[1];
        var targets = _network.TargetVectors(batch.Items.view(-1));
        var contexts = _network.ContextVectors(batch.Items.view(-1));
        var poolVectors = _network.ContextVectors(pools.view(-1));
        var pairs = PairMask(batch.IsTarget, _window);
        var pairWeights = pairs.to(targets[0].dtype);
        var pairCount = pairWeights.sum();

        // Per ID type, [rows, length, length] target·context products of each row, and [rows, length, pool] products
        // against the row's pool; summed over types they are the paper's scores.
        Tensor? scores = null, poolScores = null;
        for (int k = 0; k < targets.Count; k++)
        {
            var rowTargets = targets[k].view(rows, length, -1);
            var typeScores = rowTargets.bmm(contexts[k].view(rows, length, -1).transpose(1, 2));
            var typePoolScores = rowTargets.bmm(poolVectors[k].view(rows, pools.shape[1], -1).transpose(1, 2));
            scores = scores is null ? typeScores : scores + typeScores;
            poolScores = poolScores is null ? typePoolScores : poolScores + typePoolScores;
        }

        var positive = (nn.functional.logsigmoid(scores!) * pairWeights).sum();
        var negativeScores = poolScores!.gather(2, picks);
        var used = arange(picks.shape[2], ScalarType.Int64, picks.device).view(1, 1, -1).lt(pairs.sum(2).unsqueeze(2) * _negatives);
        var negative = (nn.functional.logsigmoid(-negativeScores) * used.to(pairWeights.dtype)).sum();

        var loss = -(positive + negative) / pairCount.clamp_min(1);
        if (_network.AttributeCount > 0)
        {
            if (_alpha > 0)
            {
                var anchors = batch.IsTarget.view(-1).to(pairWeights.dtype);
                var structural = nn.functional.logsigmoid(_network.StructuralScores(targets));
                loss = loss - (_alpha * (structural * anchors).sum() / anchors.sum().clamp_min(1));
            }

            if (_beta > 0)
            {
                loss = loss + _beta * _network.TransitionPenalty();
            }
        }

        return loss;
    }
}
