using Microsoft.ML;
using MLNetExtensions.Estimators.Data;

namespace MLNetExtensions.Samples;

/// <summary>The shipped data sets as the samples use them.</summary>
internal static class SampleData
{
    /// <summary>Every sentence of the three shipped corpora (State of the Union, Brown, Moby-Dick), streamed, as a Text column.</summary>
    public static IDataView Corpus(MLContext mlContext, int? maximumSentences = null) =>
        mlContext.Data.LoadFromEnumerable(CorpusSentences(maximumSentences).Select(s => new TextRow { Text = s }));

    /// <summary>
    /// The shipped corpora with the text (never the labels) of the sentiment training split (split by
    /// <paramref name="splitSeed"/>) woven in <paramref name="repeats"/> times, spread evenly through the stream:
    /// task-adaptive pre-training data. The test split's sentences are not included.
    /// </summary>
    public static IDataView CorpusWithTaskText(MLContext mlContext, int? maximumSentences, int splitSeed, int repeats)
    {
        var corpusSentences = CorpusSentences(maximumSentences).ToList();
        var train = SentimentTrainSentences(splitSeed);
        var taskSentences = Enumerable.Repeat(train.Select(row => row.Text), repeats).SelectMany(texts => texts).ToList();
        var woven = new List<string>(corpusSentences.Count + taskSentences.Count);
        int nextTask = 0;
        for (int i = 0; i < corpusSentences.Count; i++)
        {
            woven.Add(corpusSentences[i]);
            for (long due = (long)(i + 1) * taskSentences.Count / corpusSentences.Count; nextTask < due; nextTask++)
            {
                woven.Add(taskSentences[nextTask]);
            }
        }

        return mlContext.Data.LoadFromEnumerable(woven.Select(text => new TextRow { Text = text }));
    }

    /// <summary>The training part of the 80/20 sentiment split by <paramref name="seed"/>, the same rows as <see cref="Sentiment"/>'s.</summary>
    private static IReadOnlyList<SentimentSentence> SentimentTrainSentences(int seed) =>
        SentimentSentences.SplitTrainTest(SentimentSentences.ReadAll(), 0.2, seed).Train;

    private static IEnumerable<string> CorpusSentences(int? maximumSentences)
    {
        var sentences = new[] { TextCorpusKind.StateOfTheUnion, TextCorpusKind.Brown, TextCorpusKind.MobyDick }
            .SelectMany(kind => TextCorpusReader.ReadSentences(ShippedData.CorpusPath(kind), kind));
        return maximumSentences is int maximum ? sentences.Take(maximum) : sentences;
    }

    /// <summary>The UCI sentiment sentences, split 80/20 by <paramref name="seed"/>.</summary>
    public static TrainTestViews Sentiment(MLContext mlContext, int seed) => SentimentSentences.SplitTrainTest(mlContext, 0.2, seed);

    /// <summary>
    /// The training part of <see cref="Sentiment"/> (split by <paramref name="seed"/>) split again 80/20 by
    /// <paramref name="validationSeed"/>: sentences to choose settings on without touching the test part.
    /// </summary>
    public static TrainTestViews SentimentValidation(MLContext mlContext, int seed, int validationSeed)
    {
        var (fit, validation) = SentimentSentences.SplitTrainTest(SentimentTrainSentences(seed), 0.2, validationSeed);
        return new TrainTestViews(mlContext.Data.LoadFromEnumerable(fit), mlContext.Data.LoadFromEnumerable(validation));
    }
}
