using System.Text.RegularExpressions;
using Microsoft.ML;

namespace MLNetExtensions.Estimators.Data;

/// <summary>
/// Reads the shipped plain-text corpora (<see cref="TextCorpusKind"/>) as documents of sentences, streaming the
/// gzip file line by line: at most one document is held in memory, never the whole file.
/// </summary>
/// <remarks>
/// How a file is cut depends on the corpus: State of the Union addresses are split into sentences by a rule-based
/// splitter; Brown Corpus lines are already tokenised sentences and are kept as they are; <i>Moby-Dick</i> is cut
/// into sections at its heading lines (<c>ETYMOLOGY.</c>, <c>EXTRACTS.</c>, <c>CHAPTER n.</c>, <c>Epilogue</c>) and its
/// paragraphs are split into sentences. Empty lines only separate; they never produce a sentence.
/// Plain (uncompressed) files are read as well.
/// </remarks>
internal static class TextCorpusReader
{
    private static readonly Regex MobyDickHeading = new(@"^(CHAPTER \d+\.|ETYMOLOGY\.|EXTRACTS\.|Epilogue\b)", RegexOptions.CultureInvariant);

    /// <summary>Reads the documents of a shipped corpus (found through <see cref="ShippedData"/>).</summary>
    /// <param name="kind">Which corpus.</param>
    public static IEnumerable<TextDocument> ReadDocuments(TextCorpusKind kind) => ReadDocuments(ShippedData.CorpusPath(kind), kind);

    /// <summary>Reads the documents of a corpus file laid out as <paramref name="kind"/> describes.</summary>
    /// <param name="path">The corpus file, gzip-compressed or plain UTF-8 text.</param>
    /// <param name="kind">The layout of the file.</param>
    /// <returns>A lazily read sequence; each enumeration reads the file again.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist (thrown immediately).</exception>
    /// <exception cref="InvalidDataException">The file is not valid UTF-8 or not valid gzip data (thrown while enumerating).</exception>
    public static IEnumerable<TextDocument> ReadDocuments(string path, TextCorpusKind kind)
    {
        var lines = DataFile.ReadLines(path);
        return kind switch
        {
            TextCorpusKind.StateOfTheUnion => ReadBlocks(lines, "State of the Union address", splitSentences: true),
            TextCorpusKind.Brown => ReadBlocks(lines, "Brown sample", splitSentences: false),
            TextCorpusKind.MobyDick => ReadSections(lines),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown corpus."),
        };
    }

    /// <summary>Reads the sentences of a corpus file, all documents one after another.</summary>
    /// <param name="path">The corpus file, gzip-compressed or plain UTF-8 text.</param>
    /// <param name="kind">The layout of the file.</param>
    public static IEnumerable<string> ReadSentences(string path, TextCorpusKind kind) =>
        ReadDocuments(path, kind).SelectMany(document => document.Sentences);

    /// <summary>A streaming data view of a shipped corpus, one row per sentence (see <see cref="LoadSentences(MLContext, string, TextCorpusKind)"/>).</summary>
    /// <param name="mlContext">The ML.NET context.</param>
    /// <param name="kind">Which corpus.</param>
    public static IDataView LoadSentences(MLContext mlContext, TextCorpusKind kind) =>
        LoadSentences(mlContext, ShippedData.CorpusPath(kind), kind);

    /// <summary>
    /// A data view with one <c>Text</c> column (<see cref="TextRow"/>), one row per sentence of the corpus file.
    /// It streams: every cursor reads the file again from the start, so the file is never held in memory.
    /// </summary>
    /// <param name="mlContext">The ML.NET context.</param>
    /// <param name="path">The corpus file, gzip-compressed or plain UTF-8 text.</param>
    /// <param name="kind">The layout of the file.</param>
    public static IDataView LoadSentences(MLContext mlContext, string path, TextCorpusKind kind)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        var sentences = ReadSentences(path, kind);
        return mlContext.Data.LoadFromEnumerable(sentences.Select(sentence => new TextRow { Text = sentence }));
    }

    /// <summary>Documents = runs of non-empty lines separated by blank lines.</summary>
    private static IEnumerable<TextDocument> ReadBlocks(IEnumerable<NumberedLine> lines, string titlePrefix, bool splitSentences)
    {
        var sentences = new List<string>();
        var count = 0;
        foreach (var line in lines)
        {
            var text = line.Text.Trim();
            if (text.Length > 0)
            {
                AddSentences(sentences, text, splitSentences);
                continue;
            }

            if (sentences.Count > 0)
            {
                yield return new TextDocument($"{titlePrefix} {++count}", sentences);
                sentences = [];
            }
        }

        if (sentences.Count > 0)
        {
            yield return new TextDocument($"{titlePrefix} {++count}", sentences);
        }
    }

    /// <summary>Documents = the text from one heading line to the next.</summary>
    private static IEnumerable<TextDocument> ReadSections(IEnumerable<NumberedLine> lines)
    {
        var title = string.Empty;
        var sentences = new List<string>();
        foreach (var line in lines)
        {
            var text = line.Text.Trim();
            if (text.Length == 0)
            {
                continue;
            }

            if (MobyDickHeading.IsMatch(text))
            {
                if (sentences.Count > 0 || title.Length > 0)
                {
                    yield return new TextDocument(title, sentences);
                }

                title = text;
                sentences = [];
                continue;
            }

            AddSentences(sentences, text, split: true);
        }

        if (sentences.Count > 0 || title.Length > 0)
        {
            yield return new TextDocument(title, sentences);
        }
    }

    private static void AddSentences(List<string> sentences, string text, bool split)
    {
        if (split)
        {
            sentences.AddRange(SentenceSplitter.Split(text));
        }
        else
        {
            sentences.Add(text);
        }
    }
}
