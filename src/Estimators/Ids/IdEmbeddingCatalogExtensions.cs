using MLNetExtensions.Estimators.Catalogs;
using MLNetExtensions.Estimators.Ids;

// In ML.NET's own namespace, as ML.NET's extension packages do: `using Microsoft.ML;` is all a pipeline needs.
namespace Microsoft.ML;

/// <summary>The ID-embedding estimator on <c>mlContext.Transforms</c>.</summary>
public static class IdEmbeddingCatalogExtensions
{
    /// <summary>
    /// Learns item and attribute-ID vectors from users' item sequences (Zhao et al., KDD 2018); the fitted transformer maps
    /// an item-ID column to an <c>ItemEmbedding</c> vector.
    /// </summary>
    /// <param name="catalog">The transforms catalog; its context's seed, GPU settings and log are used.</param>
    /// <param name="options">The options.</param>
    public static IdEmbeddingEstimator IdEmbedding(this TransformsCatalog catalog, IdEmbeddingOptions options) =>
        new(CatalogContext.From(catalog), options);

    /// <summary>
    /// Learns item and attribute-ID vectors from users' item sequences with the defaults of <see cref="IdEmbeddingOptions"/>
    /// (the paper's window 4, 2 negatives, β = 0.01 and 5 epochs; α = 0.1 rather than the paper's 1, see
    /// <see cref="IdEmbeddingOptions.Alpha"/>); the fitted transformer maps <paramref name="itemColumnName"/> to <paramref name="outputColumnName"/>.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="userColumnName">The user (or session) column of the interactions.</param>
    /// <param name="itemColumnName">The item column of the interactions and of <paramref name="itemAttributes"/>.</param>
    /// <param name="timestampColumnName">The time of each interaction, or null to keep the view's order.</param>
    /// <param name="itemAttributes">The item table, or null for item IDs only.</param>
    /// <param name="attributeColumnNames">Attribute columns of <paramref name="itemAttributes"/>, each an ID type of dimension <paramref name="attributeDimension"/>.</param>
    /// <param name="itemDimension">The dimension of item vectors.</param>
    /// <param name="attributeDimension">The dimension of every attribute type's vectors.</param>
    /// <param name="outputColumnName">The output vector column.</param>
    public static IdEmbeddingEstimator IdEmbedding(
        this TransformsCatalog catalog,
        string userColumnName,
        string itemColumnName,
        string? timestampColumnName = null,
        IDataView? itemAttributes = null,
        IReadOnlyList<string>? attributeColumnNames = null,
        int itemDimension = 100,
        int attributeDimension = 20,
        string outputColumnName = "ItemEmbedding") =>
        catalog.IdEmbedding(new IdEmbeddingOptions
        {
            UserColumnName = userColumnName,
            ItemColumnName = itemColumnName,
            TimestampColumnName = timestampColumnName,
            ItemAttributes = itemAttributes,
            AttributeColumns = (attributeColumnNames ?? Array.Empty<string>()).Select(name => new AttributeIdColumn(name, attributeDimension)).ToArray(),
            ItemDimension = itemDimension,
            OutputColumnName = outputColumnName,
        });
}
