namespace MLNetExtensions.Estimators.Data;

/// <summary>One document of a text corpus: its title and its non-empty sentences (or lines), in order.</summary>
/// <param name="Title">
/// A label for the document: "State of the Union address n" and "Brown sample n" (n from 1), or the heading line
/// of a <i>Moby-Dick</i> section ("CHAPTER 1. Loomings."). Empty for text before the first heading.
/// </param>
/// <param name="Sentences">The document's sentences, trimmed and never empty; the title is not among them.</param>
internal sealed record TextDocument(string Title, IReadOnlyList<string> Sentences);
