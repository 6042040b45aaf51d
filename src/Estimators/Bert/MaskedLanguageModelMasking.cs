using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExtensions.Estimators.Bert;

/// <summary>
/// BERT's masking for masked-LM pre-training: each real, non-special token is chosen with probability
/// <see cref="MaskProbability"/>; a chosen token becomes [MASK] 80 % of the time, a random token 10 %, and
/// stays 10 %. Labels are the original ids at chosen positions and <see cref="IgnoredLabel"/> elsewhere, so
/// the loss is computed only at masked positions. Randomness comes from the generator passed in, so the
/// masks of a step are a function of its seed (dynamic masking: new masks every epoch; fixed masks for
/// validation by reusing one seed).
/// </summary>
public sealed class MaskedLanguageModelMasking
{
    /// <summary>The label value that cross-entropy ignores.</summary>
    public const long IgnoredLabel = -100;

    /// <summary>Creates the masking for a vocabulary.</summary>
    public MaskedLanguageModelMasking(int vocabularySize, int maskTokenId, IReadOnlyCollection<int> specialTokenIds, double maskProbability = 0.15)
    {
        if (maskProbability is <= 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(maskProbability), maskProbability, "The mask probability must lie strictly between 0 and 1.");
        }

        VocabularySize = vocabularySize;
        MaskTokenId = maskTokenId;
        SpecialTokenIds = specialTokenIds.ToArray();
        MaskProbability = maskProbability;
    }

    /// <summary>Size of the vocabulary random replacements are drawn from.</summary>
    public int VocabularySize { get; }

    /// <summary>The [MASK] id.</summary>
    public int MaskTokenId { get; }

    /// <summary>Ids never chosen ([CLS], [SEP], [PAD], …).</summary>
    public IReadOnlyList<int> SpecialTokenIds { get; }

    /// <summary>Probability that a token is chosen.</summary>
    public double MaskProbability { get; }

    /// <summary>
    /// Masks <paramref name="tokenIds"/> (int64, [batch, length]) where <paramref name="attentionMask"/> is 1.
    /// Returns the model input and the labels; at least one position per batch is chosen.
    /// </summary>
    public (Tensor Input, Tensor Labels) Apply(Tensor tokenIds, Tensor attentionMask, Generator generator)
    {
        var candidates = attentionMask.to_type(ScalarType.Bool);
        foreach (int special in SpecialTokenIds)
        {
            candidates = candidates.logical_and(tokenIds.ne(special));
        }

        // The generator is a CPU one (the step's, or validation's): draws are made on the CPU and moved, as libtorch
        // refuses a CPU generator for CUDA tensors; the masks are then the same on every device.
        var draw = rand(tokenIds.shape, generator: generator).to(tokenIds.device);
        var chosen = draw.lt(MaskProbability).logical_and(candidates);
        if (!chosen.any().item<bool>() && candidates.any().item<bool>())
        {
            // A tiny batch may draw no position at all; choose its first candidate so the loss is defined.
            var first = candidates.flatten().nonzero()[0];
            chosen = chosen.flatten().index_fill(0, first, true).reshape(tokenIds.shape);
        }

        var labels = tokenIds.masked_fill(chosen.logical_not(), IgnoredLabel);
        var kind = rand(tokenIds.shape, generator: generator).to(tokenIds.device);
        var toMask = chosen.logical_and(kind.lt(0.8));
        var toRandom = chosen.logical_and(kind.ge(0.8)).logical_and(kind.lt(0.9));
        var randomTokens = randint(0, VocabularySize, tokenIds.shape, generator: generator, dtype: tokenIds.dtype).to(tokenIds.device);
        var input = tokenIds.masked_fill(toMask, MaskTokenId);
        input = where(toRandom, randomTokens, input);
        return (input, labels);
    }
}
