using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace MLNetExtensions.Transforms.Bert;

/// <summary>
/// BERT with a classification head on the pooled output, laid out as Hugging Face
/// <c>BertForSequenceClassification</c>: <c>bert</c>, <c>dropout</c> and <c>classifier</c> (weight [labels, hidden],
/// bias [labels]). With <see cref="BertPooling.Cls"/> (Hugging Face's head) the encoder has a pooler (dense + tanh
/// on the [CLS] state); with <see cref="BertPooling.Mean"/> the head reads the mean of the final hidden states over
/// real tokens and the encoder has no pooler (Hugging Face's <c>add_pooling_layer=False</c> layout).
/// </summary>
/// <remarks>
/// Mean pooling suits encoders pre-trained with masked LM only: their [CLS] state was never trained to summarise the
/// sequence (there is no next-sentence objective) and a pooler would start from random weights, whereas every token
/// state carries what masked LM taught.
/// </remarks>
public sealed class BertForSequenceClassification : nn.Module<Tensor, Tensor?, Tensor?, Tensor>
{
    [ComponentName(Name = "bert")]
    private readonly BertModel bert;

    [ComponentName(Name = "dropout")]
    private readonly Dropout dropout;

    [ComponentName(Name = "classifier")]
    private readonly Linear classifier;

    /// <summary>Creates the model, initialised as in Hugging Face.</summary>
    /// <param name="config">The model configuration (validated here); the classifier dropout is <see cref="BertConfig.HiddenDropoutProb"/>.</param>
    /// <param name="numLabels">Number of classes (at least 1; 1 for regression).</param>
    /// <param name="generator">Generator of every initial value (encoder, pooler, classifier); null uses the global one.</param>
    /// <param name="pooling">How the head pools the sequence: the pooler on [CLS] (Hugging Face's head) or the mean over real tokens.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numLabels"/> is below 1, or <paramref name="pooling"/> is not a defined value.</exception>
    public BertForSequenceClassification(BertConfig config, int numLabels, Generator? generator = null, BertPooling pooling = BertPooling.Cls)
        : base(nameof(BertForSequenceClassification))
    {
        ArgumentNullException.ThrowIfNull(config);
        if (numLabels < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(numLabels), numLabels, "numLabels must be at least 1.");
        }

        if (!Enum.IsDefined(pooling))
        {
            throw new ArgumentOutOfRangeException(nameof(pooling), pooling, "pooling must be BertPooling.Cls or BertPooling.Mean.");
        }

        bert = new BertModel(config, generator, addPoolingLayer: pooling == BertPooling.Cls, initialize: true);
        dropout = nn.Dropout(config.HiddenDropoutProb);
        classifier = BertInitializer.NewLinear(config.HiddenSize, numLabels, config, generator, initialize: true);
        NumLabels = numLabels;
        Pooling = pooling;
        RegisterComponents();
    }

    /// <summary>Number of classes.</summary>
    public int NumLabels { get; }

    /// <summary>How the head pools the sequence.</summary>
    public BertPooling Pooling { get; }

    /// <summary>The classification layer (<c>classifier</c>).</summary>
    public Linear Classifier => classifier;

    /// <summary>The current configuration.</summary>
    public BertConfig Config => bert.Config;

    /// <summary>The encoder (<c>bert</c>).</summary>
    public BertModel Bert => bert;

    /// <summary>Class logits for each sequence.</summary>
    /// <param name="inputIds">Token ids, int64 [batch, sequence].</param>
    /// <param name="attentionMask">Padding mask [batch, sequence] (1/true = real token), or null.</param>
    /// <param name="tokenTypeIds">Token type ids [batch, sequence], or null for all zeros.</param>
    /// <returns>Logits [batch, labels].</returns>
    public override Tensor forward(Tensor inputIds, Tensor? attentionMask, Tensor? tokenTypeIds)
        => Forward(inputIds, attentionMask, tokenTypeIds);

    /// <summary>Class logits.</summary>
    /// <param name="inputIds">Token ids, int64 [batch, sequence].</param>
    /// <param name="attentionMask">Padding mask [batch, sequence] (1/true = real token), or null.</param>
    /// <param name="tokenTypeIds">Token type ids [batch, sequence], or null for all zeros.</param>
    /// <returns>Logits [batch, labels].</returns>
    public Tensor Forward(Tensor inputIds, Tensor? attentionMask = null, Tensor? tokenTypeIds = null)
    {
        var output = bert.Forward(inputIds, attentionMask, tokenTypeIds);
        var pooled = Pooling == BertPooling.Cls ? output.PooledOutput! : Pool(output.LastHiddenState, attentionMask);
        return classifier.forward(dropout.forward(pooled));
    }

    /// <summary>The head's input for each sequence: the pooler on [CLS], or the mean over real tokens.</summary>
    /// <param name="lastHiddenState">Final hidden states [batch, sequence, hidden].</param>
    /// <param name="attentionMask">Padding mask [batch, sequence] (1/true = real token), or null for no padding.</param>
    /// <returns>Pooled vectors [batch, hidden].</returns>
    public Tensor Pool(Tensor lastHiddenState, Tensor? attentionMask)
    {
        if (Pooling == BertPooling.Cls)
        {
            return bert.Pooler!.forward(lastHiddenState);
        }

        using var scope = NewDisposeScope();
        var mask = attentionMask ?? ones(lastHiddenState.shape[0], lastHiddenState.shape[1], device: lastHiddenState.device);
        return BertTextEncoding.Pool(lastHiddenState, mask, BertPooling.Mean).MoveToOuterDisposeScope();
    }
}
