namespace MLNetExtensions.Estimators.Data;

/// <summary>One invoice of the cleaned "Online Retail" data: the items a customer bought in one order.</summary>
/// <param name="InvoiceNo">The invoice.</param>
/// <param name="CustomerId">The customer.</param>
/// <param name="InvoiceDate">The earliest date and time among the invoice's lines.</param>
/// <param name="Country">The customer's country.</param>
/// <param name="Lines">The invoice's lines in file order.</param>
internal sealed record OnlineRetailSession(string InvoiceNo, int CustomerId, DateTime InvoiceDate, string Country, IReadOnlyList<OnlineRetailRecord> Lines)
{
    /// <summary>The stock codes of the lines, in file order (a code on two lines appears twice).</summary>
    public IReadOnlyList<string> StockCodes { get; } = Lines.Select(line => line.StockCode).ToArray();
}
