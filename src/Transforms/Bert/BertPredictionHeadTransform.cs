using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace MLNetExtensions.Transforms.Bert;

/// <summary>
/// The transform of the masked language model head (<c>cls.predictions.transform</c>):
/// <c>LayerNorm(GELU(dense(h)))</c>; <c>dense</c> [hidden, hidden], <c>LayerNorm</c> [hidden].
/// </summary>
public sealed class BertPredictionHeadTransform : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "dense")]
    private readonly Linear dense;

    [ComponentName(Name = "LayerNorm")]
    private readonly LayerNorm layerNorm;

    /// <summary>Creates the transform, initialised as in Hugging Face.</summary>
    /// <param name="config">The model configuration (validated here).</param>
    /// <param name="generator">Generator of the initial values; null uses the global one.</param>
    public BertPredictionHeadTransform(BertConfig config, Generator? generator = null)
        : this(config, generator, initialize: true)
    {
    }

    internal BertPredictionHeadTransform(BertConfig config, Generator? generator, bool initialize)
        : base(nameof(BertPredictionHeadTransform))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        dense = BertInitializer.NewLinear(config.HiddenSize, config.HiddenSize, config, generator, initialize);
        layerNorm = BertInitializer.NewLayerNorm(config);
        RegisterComponents();
    }

    /// <summary>Transforms hidden states of any leading shape.</summary>
    /// <param name="hidden">Hidden states [*, hidden].</param>
    /// <returns>Transformed states [*, hidden].</returns>
    public override Tensor forward(Tensor hidden) => layerNorm.forward(nn.functional.gelu(dense.forward(hidden)));
}
