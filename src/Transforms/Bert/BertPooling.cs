namespace MLNetExtensions.Transforms.Bert;

/// <summary>How a sequence's hidden states become one embedding vector.</summary>
public enum BertPooling
{
    /// <summary>The final hidden state of [CLS].</summary>
    Cls,

    /// <summary>The mean of the final hidden states over real tokens (padding excluded).</summary>
    Mean,
}
