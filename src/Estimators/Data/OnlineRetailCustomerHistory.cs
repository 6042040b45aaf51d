namespace MLNetExtensions.Estimators.Data;

/// <summary>All the invoices of one customer of the cleaned "Online Retail" data, in time order.</summary>
/// <param name="CustomerId">The customer.</param>
/// <param name="Sessions">The customer's invoices ordered by date (ties by invoice number).</param>
internal sealed record OnlineRetailCustomerHistory(int CustomerId, IReadOnlyList<OnlineRetailSession> Sessions)
{
    /// <summary>The customer's purchase sequence: the stock codes of all their invoices, invoice after invoice in time order.</summary>
    public IReadOnlyList<string> StockCodes { get; } = Sessions.SelectMany(session => session.StockCodes).ToArray();
}
