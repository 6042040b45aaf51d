namespace MLNetExtensions.Transforms.Ids;

/// <summary>What <c>Transform</c> gives an item that was not trained and has no known attribute IDs.</summary>
public enum UnseenItemHandling
{
    /// <summary>A zero vector.</summary>
    Zero,

    /// <summary>An <see cref="InvalidOperationException"/> naming the item.</summary>
    Error,
}
