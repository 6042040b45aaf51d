namespace MLNetExtensions.Estimators.Data;

/// <summary>One invoice line of the UCI "Online Retail" dataset.</summary>
/// <param name="InvoiceNo">The invoice (<c>InvoiceNo</c>); a leading <c>C</c> marks a cancellation.</param>
/// <param name="StockCode">The item (<c>StockCode</c>), e.g. <c>85123A</c>; see <see cref="OnlineRetailData.ProductFamily"/>.</param>
/// <param name="Description">The item's description; may be empty.</param>
/// <param name="Quantity">Units on the line; negative for returns and corrections.</param>
/// <param name="InvoiceDate">Date and time of the invoice (no time zone).</param>
/// <param name="UnitPrice">Price per unit in pounds sterling.</param>
/// <param name="CustomerId">The customer, or <see langword="null"/> where the file has none (an empty field or <c>NA</c>); never null after cleaning.</param>
/// <param name="Country">The customer's country.</param>
internal sealed record OnlineRetailRecord(
    string InvoiceNo,
    string StockCode,
    string Description,
    int Quantity,
    DateTime InvoiceDate,
    double UnitPrice,
    int? CustomerId,
    string Country);
