using MLNetExtensions.Estimators.Bert;
using MLNetExtensions.Transforms.Bert;

namespace MLNetExtensions.Tests.Pretraining;

/// <summary>The FLOP model of a masked-LM step, against a hand count for the <c>bench mslt</c> model.</summary>
public sealed class BertStepCostModelTests
{
    // bench mslt: hidden 256, feed-forward 1,024, 30,522 words, 32 rows of 64 tokens, 15 % of them masked.
    private static readonly BertConfig Config = new() { HiddenSize = 256, IntermediateSize = 1024, VocabSize = 30522, NumAttentionHeads = 4, NumHiddenLayers = 6 };
    private const double Tokens = 32 * 64;
    private const double Masked = Tokens * 0.15;

    // Per token, a layer's forward: 8·256² + 4·256·1,024 + 4·64·256 = 1,638,400 operations.
    private const double Layer = Tokens * 1_638_400;
    private const double Transform = Masked * 2 * 256 * 256;
    private const double Decoder = Masked * 2 * 256 * 30522;

    [Fact]
    public void TheHeadsBackward_ComputesTheDecoderWeightGradientOnlyWhenTheTiedEmbeddingsTrain()
    {
        // All six layers train: forward + twice for the backward, and the head's forward, input and weight gradients.
        BertStepCostModel.TrainingStepFlops(Config, 6, 6, trainEmbeddings: true, Tokens, 64, Masked)
            .Should().BeApproximately((18 * Layer) + (3 * (Transform + Decoder)), 1);

        // An MSLT stage (4 deep, top 2 train, embeddings frozen, head trains): no decoder weight gradient, and no
        // gradient-only pass through the frozen layers.
        BertStepCostModel.TrainingStepFlops(Config, 4, 2, trainEmbeddings: false, Tokens, 64, Masked)
            .Should().BeApproximately((8 * Layer) + (3 * Transform) + (2 * Decoder), 1);

        // The head frozen too: input gradients only.
        BertStepCostModel.TrainingStepFlops(Config, 4, 2, trainEmbeddings: false, Tokens, 64, Masked, trainHead: false)
            .Should().BeApproximately((8 * Layer) + (2 * (Transform + Decoder)), 1);

        // Trainable embeddings below frozen layers: the gradient passes through them (one more forward's worth each).
        BertStepCostModel.TrainingStepFlops(Config, 4, 2, trainEmbeddings: true, Tokens, 64, Masked)
            .Should().BeApproximately((10 * Layer) + (3 * (Transform + Decoder)), 1);
    }
}
