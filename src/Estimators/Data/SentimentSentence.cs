namespace MLNetExtensions.Estimators.Data;

/// <summary>
/// A labelled sentence of the UCI "Sentiment Labelled Sentences" dataset, also the row type of the data views made
/// by <see cref="SentimentSentences"/> (columns <c>Text</c>, <c>Label</c>, <c>Source</c>).
/// </summary>
internal sealed class SentimentSentence
{
    /// <summary>The sentence, with trailing whitespace removed.</summary>
    public string Text { get; set; } = string.Empty;

    /// <summary><see langword="true"/> for a positive sentence (label 1), <see langword="false"/> for a negative one (label 0).</summary>
    public bool Label { get; set; }

    /// <summary>The file the sentence comes from: <c>amazon</c>, <c>imdb</c> or <c>yelp</c> (see <see cref="SentimentSentences.SourceName"/>).</summary>
    public string Source { get; set; } = string.Empty;
}
