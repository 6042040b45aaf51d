using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace MLNetExtensions.Transforms.Bert;

/// <summary>
/// The output projection of the masked language model head (<c>cls.predictions.decoder</c>):
/// <c>h · weightᵀ + bias</c>. It owns no tensor: <c>weight</c> [vocab, hidden] is the word embedding
/// table's parameter object and <c>bias</c> [vocab] is <c>cls.predictions.bias</c>, so both appear in
/// the state dict under their Hugging Face names while being the same tensors (weight tying).
/// </summary>
/// <remarks>
/// Moving the module (<c>.to(...)</c>) leaves the shared tensors to their owners; after a move the
/// owning <see cref="BertForMaskedLM"/> ties them again (<see cref="BertForMaskedLM.TieWeights"/>).
/// </remarks>
public sealed class BertMlmDecoder : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "weight")]
    private Parameter weightParameter;

    [ComponentName(Name = "bias")]
    private Parameter biasParameter;

    internal BertMlmDecoder(Parameter weight, Parameter bias)
        : base(nameof(BertMlmDecoder))
    {
        weightParameter = weight;
        biasParameter = bias;
        RegisterComponents();
    }

    /// <summary>The decoder weight [vocab, hidden]: the word embedding table itself.</summary>
    public Parameter Weight => weightParameter;

    /// <summary>The decoder bias [vocab]: the head's <c>bias</c> itself.</summary>
    public Parameter Bias => biasParameter;

    /// <summary>Projects to vocabulary logits.</summary>
    /// <param name="hidden">Transformed hidden states [*, hidden].</param>
    /// <returns>Logits [*, vocab].</returns>
    public override Tensor forward(Tensor hidden) => nn.functional.linear(hidden, weightParameter, biasParameter);

    internal void Tie(Parameter weight, Parameter bias)
    {
        weightParameter = weight;
        biasParameter = bias;
        ConditionallyRegisterParameter("weight", weight);
        ConditionallyRegisterParameter("bias", bias);
    }

    /// <summary>Does not move the shared tensors; their owners do (see remarks).</summary>
    /// <param name="device">Target device.</param>
    /// <param name="dtype">Target element type.</param>
    /// <param name="non_blocking">Unused.</param>
    /// <returns>This module.</returns>
    protected override nn.Module _to(Device device, ScalarType dtype, bool non_blocking) => this;

    /// <summary>Does not move the shared tensors; their owners do (see remarks).</summary>
    /// <param name="deviceType">Target device type.</param>
    /// <param name="deviceIndex">Target device index.</param>
    /// <param name="non_blocking">Unused.</param>
    /// <returns>This module.</returns>
    protected override nn.Module _to(DeviceType deviceType, int deviceIndex, bool non_blocking) => this;

    /// <summary>Does not convert the shared tensors; their owners do (see remarks).</summary>
    /// <param name="dtype">Target element type.</param>
    /// <param name="non_blocking">Unused.</param>
    /// <returns>This module.</returns>
    protected override nn.Module _to(ScalarType dtype, bool non_blocking) => this;
}
