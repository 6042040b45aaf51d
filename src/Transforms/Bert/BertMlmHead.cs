using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace MLNetExtensions.Transforms.Bert;

/// <summary>
/// The masked language model prediction head (<c>cls.predictions</c>, Hugging Face's
/// <c>BertLMPredictionHead</c>): <c>bias</c> [vocab] (zeros), <c>transform</c>
/// (<see cref="BertPredictionHeadTransform"/>) and <c>decoder</c> (<see cref="BertMlmDecoder"/>,
/// weight tied to the word embeddings, bias = this head's <c>bias</c>).
/// </summary>
public sealed class BertMlmHead : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "bias")]
    private Parameter biasParameter;

    [ComponentName(Name = "transform")]
    private readonly BertPredictionHeadTransform transform;

    [ComponentName(Name = "decoder")]
    private readonly BertMlmDecoder decoder;

    internal BertMlmHead(BertConfig config, Parameter wordEmbeddings, Generator? generator, bool initialize)
        : base(nameof(BertMlmHead))
    {
        ArgumentNullException.ThrowIfNull(config);
        biasParameter = BertInitializer.NewParameter(config.VocabSize);
        BertInitializer.Zeros(biasParameter);
        transform = new BertPredictionHeadTransform(config, generator, initialize);
        decoder = new BertMlmDecoder(wordEmbeddings, biasParameter);
        RegisterComponents();
    }

    /// <summary>The output bias [vocab] (<c>bias</c>; also <c>decoder.bias</c>).</summary>
    public Parameter Bias => biasParameter;

    /// <summary>The transform (<c>transform</c>).</summary>
    public BertPredictionHeadTransform Transform => transform;

    /// <summary>The tied decoder (<c>decoder</c>).</summary>
    public BertMlmDecoder Decoder => decoder;

    /// <summary>Predicts vocabulary logits; hidden states of any leading shape (e.g. only the masked positions, [count, hidden]).</summary>
    /// <param name="hidden">Hidden states [*, hidden].</param>
    /// <returns>Logits [*, vocab].</returns>
    public override Tensor forward(Tensor hidden) => decoder.forward(transform.forward(hidden));

    internal void Tie(Parameter wordEmbeddings) => decoder.Tie(wordEmbeddings, biasParameter);
}
