using TorchSharp;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace MLNetExtensions.Transforms.Bert;

/// <summary>
/// The <c>cls</c> module of <see cref="BertForMaskedLM"/> (Hugging Face's <c>BertOnlyMLMHead</c>):
/// a wrapper whose single child <c>predictions</c> (<see cref="BertMlmHead"/>) gives the parameters
/// their Hugging Face names <c>cls.predictions.…</c>.
/// </summary>
public sealed class BertOnlyMlmHead : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "predictions")]
    private readonly BertMlmHead predictions;

    internal BertOnlyMlmHead(BertConfig config, TorchSharp.Modules.Parameter wordEmbeddings, Generator? generator, bool initialize)
        : base(nameof(BertOnlyMlmHead))
    {
        predictions = new BertMlmHead(config, wordEmbeddings, generator, initialize);
        RegisterComponents();
    }

    /// <summary>The prediction head (<c>predictions</c>).</summary>
    public BertMlmHead Predictions => predictions;

    /// <summary>Predicts vocabulary logits; hidden states of any leading shape.</summary>
    /// <param name="hidden">Hidden states [*, hidden].</param>
    /// <returns>Logits [*, vocab].</returns>
    public override Tensor forward(Tensor hidden) => predictions.forward(hidden);
}
