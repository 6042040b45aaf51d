namespace MLNetExtensions.Estimators.Data;

/// <summary>The plain-text corpora shipped in <c>data/corpus/</c>; the kind decides how a file is cut into documents and sentences.</summary>
internal enum TextCorpusKind
{
    /// <summary>
    /// <c>sotu.txt.gz</c>: 233 US State of the Union addresses (1790–2021). Each address is one line, addresses are
    /// separated by blank lines; a document is an address, cut into sentences.
    /// </summary>
    StateOfTheUnion,

    /// <summary>
    /// <c>brown.txt.gz</c>: the Brown Corpus, one tokenised sentence per line and a blank line between its 500 samples;
    /// a document is a sample, its sentences are its lines (kept exactly as tokenised).
    /// </summary>
    Brown,

    /// <summary>
    /// <c>moby-dick.txt.gz</c>: Melville's <i>Moby-Dick</i>, one paragraph per line; a document is a section (etymology,
    /// extracts, each chapter, the epilogue) titled by its heading line, its paragraphs cut into sentences.
    /// </summary>
    MobyDick,
}
