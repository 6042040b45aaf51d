using Microsoft.ML;

namespace MLNetExtensions.Estimators.Data;

/// <summary>
/// Loads the UCI "Sentiment Labelled Sentences" files (Kotzias et al., KDD 2015): lines of
/// <c>sentence&lt;TAB&gt;label</c>, label 0 or 1, 1,000 per file.
/// </summary>
/// <remarks>
/// The files are parsed line by line, splitting at the last tab, rather than with ML.NET's <c>TextLoader</c>: the
/// sentences hold quotes and commas that a quoting CSV reader can take for field delimiters. Trailing whitespace
/// of a sentence is removed. Empty lines are skipped; any other line without a tab, with an empty sentence or with a
/// label other than 0 or 1 is an error.
/// </remarks>
internal static class SentimentSentences
{
    /// <summary>The three sources in their fixed order: Amazon, IMDb, Yelp.</summary>
    public static IReadOnlyList<SentimentSource> Sources { get; } = [SentimentSource.Amazon, SentimentSource.Imdb, SentimentSource.Yelp];

    /// <summary>The value of the <c>Source</c> column for a source: <c>amazon</c>, <c>imdb</c> or <c>yelp</c>.</summary>
    /// <param name="source">The source.</param>
    public static string SourceName(SentimentSource source) => source switch
    {
        SentimentSource.Amazon => "amazon",
        SentimentSource.Imdb => "imdb",
        SentimentSource.Yelp => "yelp",
        _ => throw new ArgumentOutOfRangeException(nameof(source), source, "Unknown sentiment source."),
    };

    /// <summary>Reads one shipped file (found through <see cref="ShippedData"/>).</summary>
    /// <param name="source">Which file.</param>
    public static IReadOnlyList<SentimentSentence> Read(SentimentSource source) =>
        Read(ShippedData.SentimentPath(source), SourceName(source));

    /// <summary>Reads a <c>sentence&lt;TAB&gt;label</c> file.</summary>
    /// <param name="path">The file (plain text or gzip).</param>
    /// <param name="sourceName">The value to put in the <c>Source</c> column of every row.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">A line is malformed; the message gives the file, the line and what was expected.</exception>
    public static IReadOnlyList<SentimentSentence> Read(string path, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(sourceName);
        var rows = new List<SentimentSentence>();
        foreach (var line in DataFile.ReadLines(path))
        {
            if (line.Text.Length == 0)
            {
                continue;
            }

            var tab = line.Text.LastIndexOf('\t');
            if (tab < 0)
            {
                throw DataFile.FormatError(path, line.Number, "expected 'sentence<TAB>label', found no tab");
            }

            var label = line.Text[(tab + 1)..].Trim();
            var text = line.Text[..tab].TrimEnd();
            if (text.Trim().Length == 0)
            {
                throw DataFile.FormatError(path, line.Number, "expected a sentence before the tab, found nothing");
            }

            rows.Add(new SentimentSentence
            {
                Text = text,
                Label = label switch
                {
                    "1" => true,
                    "0" => false,
                    _ => throw DataFile.FormatError(path, line.Number, $"expected the label 0 or 1 after the tab, found '{label}'"),
                },
                Source = sourceName,
            });
        }

        return rows;
    }

    /// <summary>Reads the three shipped files: 3,000 sentences, Amazon's first, then IMDb's, then Yelp's, each in file order.</summary>
    public static IReadOnlyList<SentimentSentence> ReadAll() => Sources.SelectMany(Read).ToList();

    /// <summary>A data view (columns <c>Text</c>, <c>Label</c>, <c>Source</c>) of the 3,000 shipped sentences.</summary>
    /// <param name="mlContext">The ML.NET context.</param>
    public static IDataView LoadAll(MLContext mlContext)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        return mlContext.Data.LoadFromEnumerable(ReadAll());
    }

    /// <summary>
    /// Splits the 3,000 shipped sentences into a training and a test data view; see
    /// <see cref="SplitTrainTest(IReadOnlyList{SentimentSentence}, double, int)"/> for how.
    /// </summary>
    /// <param name="mlContext">The ML.NET context.</param>
    /// <param name="testFraction">The fraction of the rows to hold out, strictly between 0 and 1.</param>
    /// <param name="seed">The seed that decides which rows are held out.</param>
    public static TrainTestViews SplitTrainTest(MLContext mlContext, double testFraction = 0.2, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        var (train, test) = SplitTrainTest(ReadAll(), testFraction, seed);
        return new TrainTestViews(mlContext.Data.LoadFromEnumerable(train), mlContext.Data.LoadFromEnumerable(test));
    }

    /// <summary>
    /// A deterministic split stratified by source and label: within each (source, label) group, in the order
    /// Amazon, IMDb, Yelp and negative before positive, the group's rows are shuffled by a seeded generator of this
    /// library and the first <c>round(count × testFraction)</c> go to the test set. The same rows and seed give the
    /// same split in every process and on every platform. Both sets keep the input order.
    /// </summary>
    /// <param name="rows">The sentences to split.</param>
    /// <param name="testFraction">The fraction of the rows to hold out, strictly between 0 and 1.</param>
    /// <param name="seed">The seed that decides which rows are held out.</param>
    public static (IReadOnlyList<SentimentSentence> Train, IReadOnlyList<SentimentSentence> Test) SplitTrainTest(
        IReadOnlyList<SentimentSentence> rows, double testFraction = 0.2, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (!(testFraction > 0 && testFraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "The test fraction must be strictly between 0 and 1.");
        }

        var shuffle = new SeededShuffle(seed);
        var isTest = new bool[rows.Count];
        var groups = Enumerable.Range(0, rows.Count)
            .GroupBy(i => (rows[i].Source, rows[i].Label))
            .OrderBy(g => SourceOrder(g.Key.Source))
            .ThenBy(g => g.Key.Source, StringComparer.Ordinal)
            .ThenBy(g => g.Key.Label);
        foreach (var group in groups)
        {
            var indices = group.ToList();
            shuffle.Shuffle(indices);
            var testCount = (int)Math.Round(indices.Count * testFraction, MidpointRounding.AwayFromZero);
            foreach (var index in indices.Take(testCount))
            {
                isTest[index] = true;
            }
        }

        var train = new List<SentimentSentence>(rows.Count);
        var test = new List<SentimentSentence>();
        for (var i = 0; i < rows.Count; i++)
        {
            (isTest[i] ? test : train).Add(rows[i]);
        }

        return (train, test);
    }

    private static int SourceOrder(string source)
    {
        for (var i = 0; i < Sources.Count; i++)
        {
            if (SourceName(Sources[i]) == source)
            {
                return i;
            }
        }

        return Sources.Count;
    }
}
