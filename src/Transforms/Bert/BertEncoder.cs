using System.Collections.ObjectModel;
using System.Globalization;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace MLNetExtensions.Transforms.Bert;

/// <summary>
/// The stack of encoder layers (<c>encoder</c>), held in a module list named <c>layer</c> so the
/// parameters are named <c>layer.{i}.…</c>. Besides the full forward pass it runs any range of
/// layers (<see cref="ForwardLayers"/>) and can take layers on top, which staged (layer-wise) training needs
/// (the training assembly's <c>AppendLayers</c>).
/// </summary>
public sealed class BertEncoder : nn.Module<Tensor, Tensor?, Tensor>
{
    [ComponentName(Name = "layer")]
    private readonly ModuleList<BertLayer> layer;

    private BertConfig config;

    /// <summary>Creates <see cref="BertConfig.NumHiddenLayers"/> layers, initialised as in Hugging Face.</summary>
    /// <param name="config">The model configuration (validated here).</param>
    /// <param name="generator">Generator of the initial values; null uses the global one.</param>
    public BertEncoder(BertConfig config, Generator? generator = null)
        : this(config, generator, initialize: true)
    {
    }

    internal BertEncoder(BertConfig config, Generator? generator, bool initialize)
        : base(nameof(BertEncoder))
    {
        ArgumentNullException.ThrowIfNull(config);
        this.config = config.Validate();
        var layers = new BertLayer[config.NumHiddenLayers];
        for (var i = 0; i < layers.Length; i++)
        {
            layers[i] = new BertLayer(config, generator, initialize);
        }

        layer = nn.ModuleList(layers);
        RegisterComponents();
    }

    /// <summary>The configuration, its <see cref="BertConfig.NumHiddenLayers"/> always equal to <see cref="Count"/>.</summary>
    public BertConfig Config => config;

    /// <summary>Number of layers.</summary>
    public int Count => layer.Count;

    /// <summary>The layers, bottom (index 0) to top.</summary>
    public IReadOnlyList<BertLayer> Layers => new ReadOnlyCollection<BertLayer>(layer);

    /// <summary>Runs all layers.</summary>
    /// <param name="hidden">Hidden states [batch, sequence, hidden] (the embeddings).</param>
    /// <param name="attentionMask">Padding mask [batch, sequence] (1/true = real token, 0/false = padding), or null for no padding.</param>
    /// <returns>Hidden states of the top layer [batch, sequence, hidden].</returns>
    public override Tensor forward(Tensor hidden, Tensor? attentionMask) => ForwardLayers(hidden, attentionMask, 0, Count);

    /// <summary>
    /// Runs layers <paramref name="fromLayer"/> (inclusive) to <paramref name="toLayer"/> (exclusive)
    /// on the output of layer <paramref name="fromLayer"/> − 1 (or on the embeddings when it is 0).
    /// An empty range returns <paramref name="hidden"/> itself. Gradient recording follows the caller's
    /// context (wrap the call in <c>torch.no_grad()</c> for a forward-only pass).
    /// </summary>
    /// <param name="hidden">Input hidden states [batch, sequence, hidden].</param>
    /// <param name="attentionMask">Padding mask [batch, sequence] (1/true = real token), or null.</param>
    /// <param name="fromLayer">First layer to run, in [0, <see cref="Count"/>].</param>
    /// <param name="toLayer">One past the last layer to run, in [<paramref name="fromLayer"/>, <see cref="Count"/>].</param>
    /// <returns>Hidden states after layer <paramref name="toLayer"/> − 1.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The range is outside [0, <see cref="Count"/>] or reversed.</exception>
    public Tensor ForwardLayers(Tensor hidden, Tensor? attentionMask, int fromLayer, int toLayer)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        if (fromLayer < 0 || fromLayer > Count)
        {
            throw new ArgumentOutOfRangeException(nameof(fromLayer), fromLayer, $"fromLayer must be in [0, {Count}] (the encoder has {Count} layers).");
        }

        if (toLayer < fromLayer || toLayer > Count)
        {
            throw new ArgumentOutOfRangeException(nameof(toLayer), toLayer, $"toLayer must be in [fromLayer = {fromLayer}, {Count}] (the encoder has {Count} layers).");
        }

        if (fromLayer == toLayer)
        {
            return hidden;
        }

        var mask = attentionMask is null ? null : BertSelfAttention.ToAttentionMask(attentionMask).to(hidden.device);
        for (var i = fromLayer; i < toLayer; i++)
        {
            hidden = layer[i].forward(hidden, mask);
        }

        return hidden;
    }

    /// <summary>
    /// Puts <paramref name="added"/> on top of the stack (as layer <see cref="Count"/>) and updates <see cref="Config"/>.
    /// The module-list bookkeeping only; the training side decides how the layer is made (staged growth).
    /// </summary>
    internal void AddLayerOnTop(BertLayer added)
    {
        var index = layer.Count;
        layer.Add(added);
        // ModuleList registers its items once, when its owner registers it; later items must be registered by hand.
        layer.register_module(index.ToString(CultureInfo.InvariantCulture), added);
        config = config with { NumHiddenLayers = layer.Count };
    }
}
