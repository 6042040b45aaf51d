using MLNetExtensions.Transforms.Bert;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExtensions.Estimators.Bert;

/// <summary>
/// Coarse-refined training's transition: a relaxed BERT (<see cref="BertConfig.Relaxation"/>) becomes the original
/// BERT of the same shape. Embeddings, layer norms, attention projections and the head are copied exactly; each
/// factorised feed-forward weight is multiplied out (W = left · right), so every feed-forward sub-layer computes
/// what it computed before; the fast attention's own parameters (Linformer projections) are dropped and the layers
/// attend with softmax again.
/// </summary>
public static class RelaxedBertConversion
{
    private const string LeftSuffix = ".left";
    private const string RightSuffix = ".right";

    /// <summary>The original BERT holding <paramref name="relaxed"/>'s weights, on its device and in its train/eval mode.</summary>
    /// <param name="relaxed">A model whose config has a <see cref="BertConfig.Relaxation"/>.</param>
    /// <returns>A new model the caller owns.</returns>
    /// <exception cref="ArgumentException">The model is not relaxed.</exception>
    public static BertForMaskedLM ToFull(BertForMaskedLM relaxed)
    {
        ArgumentNullException.ThrowIfNull(relaxed);
        if (relaxed.Config.Relaxation is null)
        {
            throw new ArgumentException("The model is already an original BERT (its config has no Relaxation).", nameof(relaxed));
        }

        // A private generator: building the model must not move torch's global random state.
        using var generator = new Generator(0);
        var full = new BertForMaskedLM(relaxed.Config with { Relaxation = null }, generator);
        var reference = relaxed.parameters().First();
        full.to(reference.device, reference.dtype);
        full.train(relaxed.training);
        CopyInto(relaxed, full);
        return full;
    }

    /// <summary>
    /// Scalar weights of the original BERT <paramref name="relaxed"/> converts to: each factor pair counts as its full
    /// matrix, Linformer projections drop out, the tied decoder weight counts once (as in <c>parameters()</c>).
    /// </summary>
    public static long FullParameterCount(nn.Module relaxed)
    {
        ArgumentNullException.ThrowIfNull(relaxed);
        var named = relaxed.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        long count = 0;
        foreach (var (name, parameter) in named)
        {
            if (name.EndsWith(LeftSuffix, StringComparison.Ordinal))
            {
                count += parameter.shape[0] * named[name[..^LeftSuffix.Length] + RightSuffix].shape[1];
            }
            else if (!name.EndsWith(RightSuffix, StringComparison.Ordinal) && !name.EndsWith("_projection", StringComparison.Ordinal))
            {
                count += parameter.numel();
            }
        }

        return count;
    }

    /// <summary>Copies every tensor of <paramref name="relaxed"/> that <paramref name="full"/> has, multiplying factorised weights out.</summary>
    internal static void CopyInto(nn.Module relaxed, nn.Module full)
    {
        var source = relaxed.state_dict();
        using var noGrad = no_grad();
        foreach (var (name, target) in full.state_dict())
        {
            if (source.TryGetValue(name, out var tensor))
            {
                target.copy_(tensor);
                continue;
            }

            string stem = name.EndsWith(".weight", StringComparison.Ordinal) ? name[..^".weight".Length] : name;
            if (source.TryGetValue(stem + LeftSuffix, out var left) && source.TryGetValue(stem + RightSuffix, out var right))
            {
                using var product = left.matmul(right);
                target.copy_(product);
                continue;
            }

            throw new InvalidDataException($"The relaxed model has no tensor for '{name}' of the original model.");
        }
    }
}
