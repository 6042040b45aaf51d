namespace MLNetExtensions.Estimators.Data;

/// <summary>One purchase line of "The Complete Journey" (84.51°): a product bought in a basket.</summary>
/// <param name="HouseholdId">The buying household (<c>household_id</c>).</param>
/// <param name="StoreId">The store (<c>store_id</c>).</param>
/// <param name="BasketId">The shopping trip (<c>basket_id</c>); every line of a trip shares it.</param>
/// <param name="ProductId">The product (<c>product_id</c>), a key of the product table.</param>
/// <param name="Quantity">Units bought (<c>quantity</c>); may be fractional or 0.</param>
/// <param name="SalesValue">Amount paid, in dollars (<c>sales_value</c>).</param>
/// <param name="RetailDiscount">Loyalty-card discount, in dollars (<c>retail_disc</c>).</param>
/// <param name="CouponDiscount">Manufacturer coupon discount, in dollars (<c>coupon_disc</c>).</param>
/// <param name="CouponMatchDiscount">Retailer's match of the coupon, in dollars (<c>coupon_match_disc</c>).</param>
/// <param name="Week">Week of the year of the purchase (<c>week</c>).</param>
/// <param name="Timestamp">Date and time of the purchase (<c>transaction_timestamp</c>, ISO 8601, no time zone).</param>
internal sealed record CompleteJourneyTransaction(
    int HouseholdId,
    int StoreId,
    long BasketId,
    int ProductId,
    double Quantity,
    double SalesValue,
    double RetailDiscount,
    double CouponDiscount,
    double CouponMatchDiscount,
    int Week,
    DateTime Timestamp);
