using Microsoft.ML;
using MLNetExtensions.Estimators.FineTuning;
using MLNetExtensions.Transforms.Bert;

namespace MLNetExtensions.Tests.FineTuning;

/// <summary>
/// A tiny vocabulary, a tiny BERT configuration and small synthetic, learnable text sets for the fine-tuning tests:
/// sentences of filler words with one keyword that decides the class.
/// </summary>
internal sealed class FineTuningTestData : IDisposable
{
    public static readonly string[] Positive = { "good", "great", "nice", "fine" };
    public static readonly string[] Negative = { "bad", "awful", "poor", "dull" };
    public static readonly string[] TopicNames = { "sports", "food", "tech" };
    public static readonly string[][] TopicWords = { new[] { "ball", "goal", "team" }, new[] { "pizza", "soup", "bread" }, new[] { "code", "chip", "robot" } };
    private static readonly string[] Filler = { "the", "movie", "film", "was", "is", "a", "this", "plot", "acting", "story", "really", "very", "quite", "and", "it", "about", "my", "day" };
    private static readonly string[] Special = { "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]" };

    private readonly string _directory = System.IO.Directory.CreateTempSubdirectory("finetune-").FullName;

    public FineTuningTestData()
    {
        VocabularyPath = Path.Combine(_directory, "vocab.txt");
        File.WriteAllLines(VocabularyPath, Vocabulary);
    }

    /// <summary>Every token, one per line, ids in order.</summary>
    public static IReadOnlyList<string> Vocabulary { get; } =
        Special.Concat(Filler).Concat(Positive).Concat(Negative).Concat(TopicWords.SelectMany(words => words)).Append(".").ToArray();

    /// <summary>The vocabulary file.</summary>
    public string VocabularyPath { get; }

    /// <summary>A scratch directory, deleted with this object.</summary>
    public string Directory => _directory;

    /// <summary>Hidden 32, one layer, 4 heads, 24 positions.</summary>
    public static BertConfig Config(int layers = 1) => new()
    {
        VocabSize = Vocabulary.Count,
        HiddenSize = 32,
        NumHiddenLayers = layers,
        NumAttentionHeads = 4,
        IntermediateSize = 64,
        MaxPositionEmbeddings = 24,
    };

    /// <summary>Random initialisation of <see cref="Config"/>, 16 tokens, fast settings for tiny models.</summary>
    public BertClassificationOptions Options(int epochs = 8, int seed = 1) => new()
    {
        Config = Config(),
        VocabularyPath = VocabularyPath,
        MaximumLength = 16,
        BatchSize = 16,
        Epochs = epochs,
        LearningRate = 3e-3,
        WarmupFraction = 0.1,
        Seed = seed,
        NumberOfThreads = 1,
    };

    /// <summary>Sentences with one positive or negative keyword; the label says which.</summary>
    public static SentimentRow[] Sentiment(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(i =>
        {
            bool positive = i % 2 == 0;
            var keywords = positive ? Positive : Negative;
            return new SentimentRow { Text = Sentence(random, keywords[random.Next(keywords.Length)]), Label = positive };
        }).ToArray();
    }

    /// <summary>Sentences with two keywords of one topic; the label is the topic's name.</summary>
    public static TopicRow[] Topics(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(i =>
        {
            int topic = i % TopicNames.Length;
            var words = TopicWords[topic];
            return new TopicRow { Text = Sentence(random, words[random.Next(words.Length)]) + " " + words[random.Next(words.Length)], Label = TopicNames[topic] };
        }).ToArray();
    }

    /// <summary>Pairs whose first sentence is neutral and whose second holds the sentiment keyword.</summary>
    public static PairRow[] Pairs(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(i =>
        {
            bool positive = i % 2 == 0;
            var keywords = positive ? Positive : Negative;
            return new PairRow { Text = Sentence(random, null), Second = Sentence(random, keywords[random.Next(keywords.Length)]), Label = positive };
        }).ToArray();
    }

    /// <summary>Sentences with a topic keyword and a sentiment keyword, labelled with both.</summary>
    public static ReviewRow[] Reviews(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(i =>
        {
            int topic = i % TopicNames.Length;
            bool positive = i % 2 == 0;
            var keywords = positive ? Positive : Negative;
            string text = Sentence(random, keywords[random.Next(keywords.Length)]) + " " + TopicWords[topic][random.Next(TopicWords[topic].Length)];
            return new ReviewRow { Text = text, Topic = TopicNames[topic], Label = positive };
        }).ToArray();
    }

    /// <summary>A pre-trained encoder stand-in: a seeded random encoder (no pooler) with the test vocabulary, 16 tokens.</summary>
    public BertEmbeddingTransformer Encoder(int seed, BertConfig? config = null)
    {
        using var generator = new TorchSharp.torch.Generator((ulong)seed);
        var model = new BertModel(config ?? Config(), generator, addPoolingLayer: false);
        return new BertEmbeddingTransformer(model, Transforms.Text.WordPieceEncoder.FromFile(VocabularyPath), new BertTextSettings("Text", "Embedding", 16, BertPooling.Cls));
    }

    public void Dispose() => System.IO.Directory.Delete(_directory, recursive: true);

    private static string Sentence(Random random, string? keyword)
    {
        var words = Enumerable.Range(0, random.Next(3, 7)).Select(_ => Filler[random.Next(Filler.Length)]).ToList();
        if (keyword is not null)
        {
            words.Insert(random.Next(words.Count + 1), keyword);
        }

        return string.Join(' ', words) + " .";
    }
}

/// <summary>A sentence with a Boolean label.</summary>
public sealed class SentimentRow
{
    public string Text { get; set; } = string.Empty;

    public bool Label { get; set; }
}

/// <summary>A sentence with a text label (mapped to a key for multiclass training).</summary>
public sealed class TopicRow
{
    public string Text { get; set; } = string.Empty;

    public string Label { get; set; } = string.Empty;
}

/// <summary>A sentence with a topic and a Boolean sentiment label.</summary>
public sealed class ReviewRow
{
    public string Text { get; set; } = string.Empty;

    public string Topic { get; set; } = string.Empty;

    public bool Label { get; set; }
}

/// <summary>A sentence pair with a Boolean label.</summary>
public sealed class PairRow
{
    public string Text { get; set; } = string.Empty;

    public string Second { get; set; } = string.Empty;

    public bool Label { get; set; }
}

/// <summary>A text to classify.</summary>
public sealed class TextOnlyRow
{
    public string Text { get; set; } = string.Empty;
}

/// <summary>The outputs of the binary classifier.</summary>
public sealed class BinaryPrediction
{
    public bool PredictedLabel { get; set; }

    public float Score { get; set; }

    public float Probability { get; set; }
}
