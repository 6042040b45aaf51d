namespace MLNetExtensions.Transforms.Bert;

/// <summary>What part of a BERT model a <see cref="BertParameterGroup"/> holds.</summary>
public enum BertParameterGroupKind
{
    /// <summary>The input embeddings (<c>embeddings</c>), including the word embeddings that the MLM decoder shares.</summary>
    Embeddings = 0,

    /// <summary>One encoder layer (<c>encoder.layer.{i}</c>).</summary>
    EncoderLayer = 1,

    /// <summary>The pooler (<c>pooler</c>).</summary>
    Pooler = 2,

    /// <summary>The masked language model head (<c>cls</c>), without the tied decoder weight.</summary>
    MlmHead = 3,

    /// <summary>The sequence classification head (<c>classifier</c>).</summary>
    Classifier = 4,
}
