namespace MLNetExtensions.Transforms.Ids;

/// <summary>An ID with its score (cosine similarity) in a ranking.</summary>
/// <param name="Id">The item ID (integer IDs in their invariant decimal form).</param>
/// <param name="Score">The cosine similarity to the query vector.</param>
public sealed record ScoredId(string Id, float Score);
