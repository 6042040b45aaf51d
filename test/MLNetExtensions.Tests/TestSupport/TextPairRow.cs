namespace MLNetExtensions.Tests.TestSupport;

/// <summary>A row with two text columns (sentence pairs).</summary>
public sealed class TextPairRow
{
    public string? Text { get; set; }

    public string? Second { get; set; }
}

/// <summary>A row whose text may be null.</summary>
public sealed class OptionalTextRow
{
    public string? Text { get; set; }
}
