using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace MLNetExtensions.Transforms.Bert;

/// <summary>
/// The pooler (<c>pooler</c>): <c>tanh(dense(h[:, 0]))</c> on the hidden state of the first ([CLS])
/// token; <c>dense</c> has weight [hidden, hidden] and bias [hidden].
/// </summary>
public sealed class BertPooler : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "dense")]
    private readonly Linear dense;

    /// <summary>Creates the pooler, initialised as in Hugging Face.</summary>
    /// <param name="config">The model configuration (validated here).</param>
    /// <param name="generator">Generator of the initial values; null uses the global one.</param>
    public BertPooler(BertConfig config, Generator? generator = null)
        : this(config, generator, initialize: true)
    {
    }

    internal BertPooler(BertConfig config, Generator? generator, bool initialize)
        : base(nameof(BertPooler))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        dense = BertInitializer.NewLinear(config.HiddenSize, config.HiddenSize, config, generator, initialize);
        RegisterComponents();
    }

    /// <summary>Pools each sequence into one vector.</summary>
    /// <param name="hidden">Hidden states [batch, sequence, hidden].</param>
    /// <returns>Pooled vectors [batch, hidden].</returns>
    public override Tensor forward(Tensor hidden) => tanh(dense.forward(hidden.select(1, 0)));
}
