namespace MLNetExtensions.Estimators.Plans;

/// <summary>Which encoder a stage trains.</summary>
public enum EncoderArchitecture
{
    /// <summary>The original BERT encoder.</summary>
    Full,

    /// <summary>A relaxed BERT (fast attention, low-rank feed-forward), converted to <see cref="Full"/> by a later stage.</summary>
    Relaxed,
}
