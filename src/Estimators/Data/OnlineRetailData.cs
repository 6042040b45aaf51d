namespace MLNetExtensions.Estimators.Data;

/// <summary>
/// The UCI "Online Retail" dataset (Chen, Sain &amp; Guo, 2012): invoice lines of a UK online gift retailer,
/// cleaned for purchase-sequence modelling.
/// </summary>
/// <remarks>
/// Cleaning (<see cref="IsKept"/>) drops, and only drops: cancellations (invoice number starting with <c>C</c>),
/// lines with quantity ≤ 0 or unit price ≤ 0, lines without a customer, and non-product codes (stock codes without
/// a digit: <c>POST</c>, <c>M</c>, <c>DOT</c>, <c>BANK CHARGES</c>, …). On the shipped file this keeps 396,470 of the
/// 541,909 lines: 4,334 customers, 18,405 invoices, 3,660 stock codes. Any malformed line is an error, never skipped.
/// </remarks>
internal sealed class OnlineRetailData
{
    private const string DateFormat = "yyyy-MM-dd HH:mm:ss";

    private static readonly string[] Columns =
        ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country"];

    private readonly Lazy<IReadOnlyList<OnlineRetailSession>> _sessions;
    private readonly Lazy<IReadOnlyList<OnlineRetailCustomerHistory>> _customers;

    /// <summary>Builds the cleaned data set from raw records (for example those of <see cref="ReadRaw"/>), applying <see cref="IsKept"/>.</summary>
    /// <param name="rawRecords">The invoice lines before cleaning.</param>
    public OnlineRetailData(IEnumerable<OnlineRetailRecord> rawRecords)
    {
        ArgumentNullException.ThrowIfNull(rawRecords);
        Records = rawRecords.Where(IsKept).ToList();
        _sessions = new Lazy<IReadOnlyList<OnlineRetailSession>>(BuildSessions);
        _customers = new Lazy<IReadOnlyList<OnlineRetailCustomerHistory>>(BuildCustomerHistories);
    }

    /// <summary>The invoice lines kept by the cleaning, in file order; every one has a <see cref="OnlineRetailRecord.CustomerId"/>.</summary>
    public IReadOnlyList<OnlineRetailRecord> Records { get; }

    /// <summary>Reads and cleans the shipped file (found through <see cref="ShippedData"/>).</summary>
    public static OnlineRetailData Load() => Load(ShippedData.OnlineRetailPath);

    /// <summary>Reads and cleans an Online Retail CSV file.</summary>
    /// <param name="path">The CSV file (gzip or plain); see <see cref="ReadRaw"/>.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">A line is malformed; the message gives the file, the line and what was expected.</exception>
    public static OnlineRetailData Load(string path) => new(ReadRaw(path));

    /// <summary>
    /// Streams every invoice line of an Online Retail CSV file, without cleaning. The header must name the columns
    /// <c>InvoiceNo, StockCode, Description, Quantity, InvoiceDate, UnitPrice, CustomerID, Country</c>; dates are
    /// <c>yyyy-MM-dd HH:mm:ss</c>, numbers use '.' as decimal point, and an empty or <c>NA</c> customer means none.
    /// </summary>
    /// <param name="path">The CSV file (gzip or plain).</param>
    /// <exception cref="FileNotFoundException">The file does not exist (thrown immediately).</exception>
    /// <exception cref="InvalidDataException">A line is malformed (thrown while enumerating).</exception>
    public static IEnumerable<OnlineRetailRecord> ReadRaw(string path) =>
        CsvFile.Read(path, Columns).Select(row => new OnlineRetailRecord(
            InvoiceNo: row.GetRequiredString(0),
            StockCode: row.GetRequiredString(1),
            Description: row.GetString(2),
            Quantity: row.GetInt32(3),
            InvoiceDate: row.GetDateTime(4, DateFormat),
            UnitPrice: row.GetDouble(5),
            CustomerId: row.GetString(6) is "" or "NA" ? null : row.GetInt32(6),
            Country: row.GetString(7)));

    /// <summary>Whether the cleaning keeps a line (see the class remarks for the rules).</summary>
    /// <param name="record">A raw invoice line.</param>
    public static bool IsKept(OnlineRetailRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return !record.InvoiceNo.StartsWith('C')
            && record.Quantity > 0
            && record.UnitPrice > 0
            && record.CustomerId is not null
            && IsProductCode(record.StockCode);
    }

    /// <summary>Whether a stock code names a product: it contains at least one digit (<c>POST</c>, <c>DOT</c>, <c>M</c> do not).</summary>
    /// <param name="stockCode">A stock code.</param>
    public static bool IsProductCode(string stockCode)
    {
        ArgumentNullException.ThrowIfNull(stockCode);
        return stockCode.Any(char.IsAsciiDigit);
    }

    /// <summary>
    /// The product family of a stock code: the code without its trailing letters, the numeric stem that colour and
    /// size variants share (<c>85123A</c> → <c>85123</c>, <c>15056BL</c> → <c>15056</c>, <c>22423</c> → <c>22423</c>).
    /// A code made of letters only is returned unchanged.
    /// </summary>
    /// <param name="stockCode">A stock code.</param>
    public static string ProductFamily(string stockCode)
    {
        ArgumentNullException.ThrowIfNull(stockCode);
        var end = stockCode.Length;
        while (end > 0 && char.IsAsciiLetter(stockCode[end - 1]))
        {
            end--;
        }

        return end == 0 ? stockCode : stockCode[..end];
    }

    /// <summary>
    /// The invoices ("sessions"), ordered by date (ties by invoice number), each with its lines in file order.
    /// Computed once, on first use.
    /// </summary>
    public IReadOnlyList<OnlineRetailSession> Sessions() => _sessions.Value;

    /// <summary>
    /// One purchase history per customer, ordered by customer id; each history holds the customer's invoices in
    /// date order, and <see cref="OnlineRetailCustomerHistory.StockCodes"/> is the customer's item sequence.
    /// Computed once, on first use.
    /// </summary>
    public IReadOnlyList<OnlineRetailCustomerHistory> CustomerSequences() => _customers.Value;

    private List<OnlineRetailSession> BuildSessions() =>
        Records
            .GroupBy(r => r.InvoiceNo, StringComparer.Ordinal)
            .Select(group =>
            {
                var lines = group.ToArray();
                var first = lines[0];
                return new OnlineRetailSession(group.Key, first.CustomerId!.Value, lines.Min(l => l.InvoiceDate), first.Country, lines);
            })
            .OrderBy(s => s.InvoiceDate)
            .ThenBy(s => s.InvoiceNo, StringComparer.Ordinal)
            .ToList();

    private List<OnlineRetailCustomerHistory> BuildCustomerHistories() =>
        Sessions()
            .GroupBy(s => s.CustomerId)
            .OrderBy(g => g.Key)
            .Select(g => new OnlineRetailCustomerHistory(g.Key, g.ToArray()))
            .ToList();
}
