namespace MLNetExtensions.Estimators.Data;

/// <summary>One shopping trip of "The Complete Journey": the products bought together.</summary>
/// <param name="BasketId">The basket.</param>
/// <param name="HouseholdId">The household of the basket's first line.</param>
/// <param name="StoreId">The store of the basket's first line.</param>
/// <param name="Week">The week of the basket's earliest line.</param>
/// <param name="Timestamp">The earliest timestamp of the basket's lines.</param>
/// <param name="ProductIds">The products of the basket's lines, ordered by timestamp, lines with equal timestamps in file order; a product bought on two lines appears twice.</param>
internal sealed record CompleteJourneyBasket(long BasketId, int HouseholdId, int StoreId, int Week, DateTime Timestamp, IReadOnlyList<int> ProductIds);
