namespace MLNetExtensions.Estimators.Data;

/// <summary>The three files of the UCI "Sentiment Labelled Sentences" dataset shipped in <c>data/sentiment/</c>.</summary>
internal enum SentimentSource
{
    /// <summary><c>amazon_cells_labelled.txt</c>: sentences from amazon.com reviews of phones and accessories.</summary>
    Amazon,

    /// <summary><c>imdb_labelled.txt</c>: sentences from imdb.com movie reviews.</summary>
    Imdb,

    /// <summary><c>yelp_labelled.txt</c>: sentences from yelp.com restaurant reviews.</summary>
    Yelp,
}
