using Microsoft.ML;
using MLNetExtensions.Estimators.Data;

namespace MLNetExtensions.Samples;

/// <summary>The shipped data sets as the samples use them.</summary>
internal static class SampleData
{
    /// <summary>Every sentence of the three shipped corpora (State of the Union, Brown, Moby-Dick), streamed, as a Text column.</summary>
    public static IDataView Corpus(MLContext mlContext, int? maximumSentences = null)
    {
        var sentences = new[] { TextCorpusKind.StateOfTheUnion, TextCorpusKind.Brown, TextCorpusKind.MobyDick }
            .SelectMany(kind => TextCorpusReader.ReadSentences(ShippedData.CorpusPath(kind), kind));
        if (maximumSentences is int maximum)
        {
            sentences = sentences.Take(maximum);
        }

        return mlContext.Data.LoadFromEnumerable(sentences.Select(s => new TextRow { Text = s }));
    }

    /// <summary>The UCI sentiment sentences, split 80/20 by <paramref name="seed"/>.</summary>
    public static TrainTestViews Sentiment(MLContext mlContext, int seed) => SentimentSentences.SplitTrainTest(mlContext, 0.2, seed);

    /// <summary>
    /// The training part of <see cref="Sentiment"/> (split by <paramref name="seed"/>) split again 80/20 by
    /// <paramref name="validationSeed"/>: sentences to choose settings on without touching the test part.
    /// </summary>
    public static TrainTestViews SentimentValidation(MLContext mlContext, int seed, int validationSeed)
    {
        var (train, _) = SentimentSentences.SplitTrainTest(SentimentSentences.ReadAll(), 0.2, seed);
        var (fit, validation) = SentimentSentences.SplitTrainTest(train, 0.2, validationSeed);
        return new TrainTestViews(mlContext.Data.LoadFromEnumerable(fit), mlContext.Data.LoadFromEnumerable(validation));
    }
}
