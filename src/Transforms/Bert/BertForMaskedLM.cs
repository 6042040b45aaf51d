using TorchSharp;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace MLNetExtensions.Transforms.Bert;

/// <summary>
/// BERT with the masked language model head, laid out as Hugging Face <c>BertForMaskedLM</c>:
/// children <c>bert</c> (<see cref="BertModel"/>, by default without pooler as in Hugging Face) and
/// <c>cls</c> (<see cref="BertOnlyMlmHead"/>).
/// </summary>
/// <remarks>
/// <para>
/// Weight tying: <c>cls.predictions.decoder.weight</c> is the same tensor object as
/// <c>bert.embeddings.word_embeddings.weight</c>, and <c>cls.predictions.decoder.bias</c> the same as
/// <c>cls.predictions.bias</c>. The state dict (and <see cref="ModelTensorIO.GetNamedTensors"/>, and so
/// a safetensors export) lists every one of these names, as a PyTorch state dict of the Hugging Face
/// model does; <c>parameters()</c> (and the training side's parameter groups) list each tensor once, so an
/// optimiser updates it once. After <c>.to(...)</c> the ties are restored (<see cref="TieWeights"/>).
/// </para>
/// </remarks>
public sealed class BertForMaskedLM : nn.Module<Tensor, Tensor?, Tensor?, Tensor>
{
    [ComponentName(Name = "bert")]
    private readonly BertModel bert;

    [ComponentName(Name = "cls")]
    private readonly BertOnlyMlmHead cls;

    /// <summary>Creates the model, initialised as in Hugging Face.</summary>
    /// <param name="config">The model configuration (validated here).</param>
    /// <param name="generator">
    /// Generator of every initial value (embeddings, layers bottom to top, pooler if any, head transform); two
    /// models built from generators with the same seed are bit-identical. Null uses the global generator.
    /// </param>
    /// <param name="addPoolingLayer">
    /// Whether <c>bert</c> has a pooler. False by default, as Hugging Face <c>BertForMaskedLM</c> (whose
    /// loader ignores a pooler found in a file); true adds <c>bert.pooler.dense.weight/bias</c>.
    /// </param>
    public BertForMaskedLM(BertConfig config, Generator? generator = null, bool addPoolingLayer = false)
        : base(nameof(BertForMaskedLM))
    {
        ArgumentNullException.ThrowIfNull(config);
        bert = new BertModel(config, generator, addPoolingLayer, initialize: true);
        cls = new BertOnlyMlmHead(config, bert.Embeddings.WordEmbeddings.Weight, generator, initialize: true);
        RegisterComponents();
    }

    /// <summary>The current configuration (its layer count follows the encoder's growth).</summary>
    public BertConfig Config => bert.Config;

    /// <summary>The encoder (<c>bert</c>).</summary>
    public BertModel Bert => bert;

    /// <summary>The head (<c>cls</c>); <c>Cls.forward</c> accepts hidden states of any leading shape, e.g. only masked positions.</summary>
    public BertOnlyMlmHead Cls => cls;

    /// <summary>Predicts vocabulary logits at every position.</summary>
    /// <param name="inputIds">Token ids, int64 [batch, sequence].</param>
    /// <param name="attentionMask">Padding mask [batch, sequence] (1/true = real token), or null.</param>
    /// <param name="tokenTypeIds">Token type ids [batch, sequence], or null for all zeros.</param>
    /// <returns>Logits [batch, sequence, vocab].</returns>
    public override Tensor forward(Tensor inputIds, Tensor? attentionMask, Tensor? tokenTypeIds)
        => Forward(inputIds, attentionMask, tokenTypeIds);

    /// <summary>Predicts vocabulary logits.</summary>
    /// <param name="inputIds">Token ids, int64 [batch, sequence].</param>
    /// <param name="attentionMask">Padding mask [batch, sequence] (1/true = real token), or null.</param>
    /// <param name="tokenTypeIds">Token type ids [batch, sequence], or null for all zeros.</param>
    /// <returns>Logits [batch, sequence, vocab].</returns>
    public Tensor Forward(Tensor inputIds, Tensor? attentionMask = null, Tensor? tokenTypeIds = null)
        => cls.forward(bert.Forward(inputIds, attentionMask, tokenTypeIds).LastHiddenState);

    /// <summary>
    /// Makes the decoder share the word embedding table and the head bias again. Called after every move
    /// or conversion of the whole model; call it yourself after replacing either tensor by other means.
    /// </summary>
    public void TieWeights() => cls.Predictions.Tie(bert.Embeddings.WordEmbeddings.Weight);

    /// <summary>Copies every tensor of <paramref name="source"/> (same configuration and layout) into this model.</summary>
    /// <param name="source">The model to copy from.</param>
    /// <exception cref="InvalidDataException">A tensor is missing, unexpected or has another shape.</exception>
    public void CopyFrom(BertForMaskedLM source)
    {
        ArgumentNullException.ThrowIfNull(source);
        ModelTensorIO.CopyTensors(source, this);
    }

    /// <summary>Moves and converts the model, then restores the weight ties.</summary>
    /// <param name="device">Target device.</param>
    /// <param name="dtype">Target element type.</param>
    /// <param name="non_blocking">Whether the copy may be asynchronous.</param>
    /// <returns>This module.</returns>
    protected override nn.Module _to(Device device, ScalarType dtype, bool non_blocking)
    {
        var result = base._to(device, dtype, non_blocking);
        TieWeights();
        return result;
    }

    /// <summary>Moves the model, then restores the weight ties.</summary>
    /// <param name="deviceType">Target device type.</param>
    /// <param name="deviceIndex">Target device index.</param>
    /// <param name="non_blocking">Whether the copy may be asynchronous.</param>
    /// <returns>This module.</returns>
    protected override nn.Module _to(DeviceType deviceType, int deviceIndex, bool non_blocking)
    {
        var result = base._to(deviceType, deviceIndex, non_blocking);
        TieWeights();
        return result;
    }

    /// <summary>Converts the model, then restores the weight ties.</summary>
    /// <param name="dtype">Target element type.</param>
    /// <param name="non_blocking">Whether the copy may be asynchronous.</param>
    /// <returns>This module.</returns>
    protected override nn.Module _to(ScalarType dtype, bool non_blocking)
    {
        var result = base._to(dtype, non_blocking);
        TieWeights();
        return result;
    }
}
