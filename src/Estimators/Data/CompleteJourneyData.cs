namespace MLNetExtensions.Estimators.Data;

/// <summary>
/// "The Complete Journey" grocery data of 84.51° as shipped: a 75,000-line transaction sample and the 92,331-product
/// table, read from gzip CSV files with headers (columns found by name, quoted fields supported).
/// </summary>
/// <remarks>
/// The files were written by R, which prints a few whole-number ids in exponent notation (basket <c>4.0128e+10</c>,
/// product <c>9e+05</c>); these are read exactly. 222 lines of the shipped sample name products that the shipped
/// product table lacks, so look products up with <c>TryGetValue</c>.
/// </remarks>
internal sealed class CompleteJourneyData
{
    private const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss";

    private static readonly string[] TransactionColumns =
    [
        "household_id", "store_id", "basket_id", "product_id", "quantity", "sales_value",
        "retail_disc", "coupon_disc", "coupon_match_disc", "week", "transaction_timestamp",
    ];

    private static readonly string[] ProductColumns =
        ["product_id", "manufacturer_id", "department", "brand", "product_category", "product_type", "package_size"];

    private readonly Lazy<IReadOnlyList<CompleteJourneyBasket>> _baskets;
    private readonly Lazy<IReadOnlyDictionary<int, CompleteJourneyItemAttributes>> _itemAttributes;

    /// <summary>Builds the data set from records already read.</summary>
    /// <param name="transactions">The purchase lines.</param>
    /// <param name="products">The product table.</param>
    /// <exception cref="InvalidDataException">Two products share a product id.</exception>
    public CompleteJourneyData(IEnumerable<CompleteJourneyTransaction> transactions, IEnumerable<CompleteJourneyProduct> products)
    {
        ArgumentNullException.ThrowIfNull(transactions);
        ArgumentNullException.ThrowIfNull(products);
        Transactions = transactions.ToList();
        Products = products.ToList();
        var byId = new Dictionary<int, CompleteJourneyProduct>(Products.Count);
        foreach (var product in Products)
        {
            if (!byId.TryAdd(product.ProductId, product))
            {
                throw new InvalidDataException($"The product table lists product_id {product.ProductId} twice.");
            }
        }

        ProductsById = byId;
        _baskets = new Lazy<IReadOnlyList<CompleteJourneyBasket>>(BuildBaskets);
        _itemAttributes = new Lazy<IReadOnlyDictionary<int, CompleteJourneyItemAttributes>>(() => ProductsById.ToDictionary(
            pair => pair.Key,
            pair => new CompleteJourneyItemAttributes(pair.Value.ManufacturerId, pair.Value.Department, pair.Value.Brand, pair.Value.ProductCategory, pair.Value.ProductType)));
    }

    /// <summary>The purchase lines, in file order.</summary>
    public IReadOnlyList<CompleteJourneyTransaction> Transactions { get; }

    /// <summary>The products, in file order.</summary>
    public IReadOnlyList<CompleteJourneyProduct> Products { get; }

    /// <summary>The products by product id.</summary>
    public IReadOnlyDictionary<int, CompleteJourneyProduct> ProductsById { get; }

    /// <summary>The item → attribute map: for every product id, its manufacturer, department, brand, category and type.</summary>
    public IReadOnlyDictionary<int, CompleteJourneyItemAttributes> ItemAttributes => _itemAttributes.Value;

    /// <summary>Reads the shipped files (found through <see cref="ShippedData"/>).</summary>
    public static CompleteJourneyData Load() =>
        Load(ShippedData.CompleteJourneyTransactionsPath, ShippedData.CompleteJourneyProductsPath);

    /// <summary>Reads a transaction file and a product file.</summary>
    /// <param name="transactionsPath">The transactions CSV (gzip or plain).</param>
    /// <param name="productsPath">The products CSV (gzip or plain).</param>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="InvalidDataException">A file is malformed; the message gives the file, the line and what was expected.</exception>
    public static CompleteJourneyData Load(string transactionsPath, string productsPath) =>
        new(ReadTransactions(transactionsPath), ReadProducts(productsPath));

    /// <summary>Streams the purchase lines of a transactions CSV file.</summary>
    /// <param name="path">The transactions CSV (gzip or plain) with the header columns <c>household_id, store_id, basket_id, product_id, quantity, sales_value, retail_disc, coupon_disc, coupon_match_disc, week, transaction_timestamp</c>.</param>
    /// <exception cref="FileNotFoundException">The file does not exist (thrown immediately).</exception>
    /// <exception cref="InvalidDataException">The file is malformed (thrown while enumerating).</exception>
    public static IEnumerable<CompleteJourneyTransaction> ReadTransactions(string path) =>
        CsvFile.Read(path, TransactionColumns).Select(row => new CompleteJourneyTransaction(
            HouseholdId: row.GetInt32(0),
            StoreId: row.GetInt32(1),
            BasketId: row.GetInt64(2),
            ProductId: row.GetInt32(3),
            Quantity: row.GetDouble(4),
            SalesValue: row.GetDouble(5),
            RetailDiscount: row.GetDouble(6),
            CouponDiscount: row.GetDouble(7),
            CouponMatchDiscount: row.GetDouble(8),
            Week: row.GetInt32(9),
            Timestamp: row.GetDateTime(10, TimestampFormat)));

    /// <summary>Streams the products of a products CSV file.</summary>
    /// <param name="path">The products CSV (gzip or plain) with the header columns <c>product_id, manufacturer_id, department, brand, product_category, product_type, package_size</c>.</param>
    /// <exception cref="FileNotFoundException">The file does not exist (thrown immediately).</exception>
    /// <exception cref="InvalidDataException">The file is malformed (thrown while enumerating).</exception>
    public static IEnumerable<CompleteJourneyProduct> ReadProducts(string path) =>
        CsvFile.Read(path, ProductColumns).Select(row => new CompleteJourneyProduct(
            ProductId: row.GetInt32(0),
            ManufacturerId: row.GetInt32(1),
            Department: row.GetString(2),
            Brand: row.GetString(3),
            ProductCategory: row.GetString(4),
            ProductType: row.GetString(5),
            PackageSize: row.GetString(6)));

    /// <summary>
    /// The baskets, ordered by timestamp (ties by basket id), each with its product ids ordered by timestamp
    /// (ties in file order). Computed once, on first use.
    /// </summary>
    public IReadOnlyList<CompleteJourneyBasket> Baskets() => _baskets.Value;

    private List<CompleteJourneyBasket> BuildBaskets() =>
        Transactions
            .GroupBy(t => t.BasketId)
            .Select(group =>
            {
                var lines = group.OrderBy(t => t.Timestamp).ToList();
                var first = group.First();
                return new CompleteJourneyBasket(
                    group.Key,
                    first.HouseholdId,
                    first.StoreId,
                    lines[0].Week,
                    lines[0].Timestamp,
                    lines.Select(t => t.ProductId).ToArray());
            })
            .OrderBy(b => b.Timestamp)
            .ThenBy(b => b.BasketId)
            .ToList();
}
