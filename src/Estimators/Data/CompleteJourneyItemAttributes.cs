namespace MLNetExtensions.Estimators.Data;

/// <summary>
/// The side information of an item (a product) of "The Complete Journey": the attributes of the item → attribute
/// hierarchy used, for example, as extra embedding inputs of an item-embedding model.
/// </summary>
/// <param name="ManufacturerId">The manufacturer.</param>
/// <param name="Department">The department.</param>
/// <param name="Brand"><c>National</c> or <c>Private</c>.</param>
/// <param name="Category">The product category; may be empty.</param>
/// <param name="Type">The product type; may be empty.</param>
internal sealed record CompleteJourneyItemAttributes(int ManufacturerId, string Department, string Brand, string Category, string Type);
