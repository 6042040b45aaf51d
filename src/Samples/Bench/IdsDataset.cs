using MLNetExtensions.Estimators.Data;
using MLNetExtensions.Estimators.Ids;

namespace MLNetExtensions.Samples.Bench;

/// <summary>A test or validation case: rank every item from the user's items before <see cref="Target"/>; the last of them is the query.</summary>
/// <param name="LastItem">Index of the item just before the target.</param>
/// <param name="Target">Index of the item to find.</param>
internal readonly record struct IdsCase(int LastItem, int Target);

/// <summary>
/// One dataset under the <c>bench ids</c> protocol. Per user (with 3 items or more), the last item is the test target and
/// the one before it the validation target; the rest is training. 10 % of all items (by seed) are cold: removed from every
/// training sequence, kept in the attribute table (and as validation/test targets).
/// </summary>
internal sealed class IdsDataset
{
    private IdsDataset(string name, IReadOnlyList<string[]> userSequences, IReadOnlyDictionary<string, string?[]> attributes, IReadOnlyList<AttributeIdColumn> attributeColumns, int seed, double coldFraction)
    {
        Name = name;
        AttributeColumns = attributeColumns;
        var users = userSequences.Where(s => s.Length >= 3).ToList();
        Items = users.SelectMany(s => s).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var index = Items.Select((item, i) => (item, i)).ToDictionary(p => p.item, p => p.i, StringComparer.Ordinal);
        var shuffled = Enumerable.Range(0, Items.Length).ToArray();
        new SeededShuffle(seed).Shuffle(shuffled);
        Cold = new bool[Items.Length];
        foreach (int i in shuffled.Take((int)Math.Round(coldFraction * Items.Length)))
        {
            Cold[i] = true;
        }

        TrainingSequences = users.Select(s => s[..^2].Where(item => !Cold[index[item]]).ToArray()).Where(s => s.Length > 0).ToList();
        Test = users.Select(s => new IdsCase(index[s[^2]], index[s[^1]])).ToList();
        Validation = users.Select(s => new IdsCase(index[s[^3]], index[s[^2]])).ToList();
        AttributeIds = Items.Select(item => attributes.TryGetValue(item, out var ids) ? ids : new string?[attributeColumns.Count]).ToArray();
        Popularity = new long[Items.Length];
        foreach (var sequence in TrainingSequences)
        {
            foreach (string item in sequence)
            {
                Popularity[index[item]]++;
            }
        }

        UserCount = users.Count;
    }

    public string Name { get; }

    /// <summary>Every item of the kept users, in ordinal order: the candidates of every ranking.</summary>
    public string[] Items { get; }

    public bool[] Cold { get; }

    public IReadOnlyList<AttributeIdColumn> AttributeColumns { get; }

    /// <summary>Per item, its ID of each attribute column (null: missing).</summary>
    public string?[][] AttributeIds { get; }

    /// <summary>The users' training prefixes without cold items (what every method trains on).</summary>
    public IReadOnlyList<string[]> TrainingSequences { get; }

    public IReadOnlyList<IdsCase> Test { get; }

    public IReadOnlyList<IdsCase> Validation { get; }

    /// <summary>Occurrences of each item in the training sequences.</summary>
    public long[] Popularity { get; }

    public int UserCount { get; }

    /// <summary>Online Retail (cleaned): item = StockCode, one attribute type = its product family (numeric stem); per customer, invoices in date order, lines in file order.</summary>
    public static IdsDataset OnlineRetail(int seed, int? maximumUsers)
    {
        var data = OnlineRetailData.Load();
        var sequences = data.CustomerSequences().Select(c => c.StockCodes.ToArray()).Take(maximumUsers ?? int.MaxValue).ToList();
        var attributes = sequences.SelectMany(s => s).Distinct(StringComparer.Ordinal)
            .ToDictionary(code => code, code => new string?[] { OnlineRetailData.ProductFamily(code) }, StringComparer.Ordinal);
        return new IdsDataset("online_retail", sequences, attributes, new[] { new AttributeIdColumn("Family", 100) }, seed, 0.1);
    }

    /// <summary>Complete Journey sample: item = product_id; attributes manufacturer, department, category, type, brand; per household, baskets in time order.</summary>
    public static IdsDataset CompleteJourney(int seed, int? maximumUsers)
    {
        var data = CompleteJourneyData.Load();
        var sequences = data.Baskets()
            .GroupBy(b => b.HouseholdId)
            .OrderBy(g => g.Key)
            .Select(g => g.SelectMany(b => b.ProductIds).Select(p => p.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray())
            .Take(maximumUsers ?? int.MaxValue)
            .ToList();
        var attributes = new Dictionary<string, string?[]>(StringComparer.Ordinal);
        foreach (var (id, a) in data.ItemAttributes)
        {
            attributes[id.ToString(System.Globalization.CultureInfo.InvariantCulture)] = new[]
            {
                a.ManufacturerId.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Empty(a.Department), Empty(a.Category), Empty(a.Type), Empty(a.Brand),
            };
        }

        var columns = new[]
        {
            new AttributeIdColumn("Manufacturer", 20), new AttributeIdColumn("Department", 10), new AttributeIdColumn("Category", 10),
            new AttributeIdColumn("Type", 20), new AttributeIdColumn("Brand", 10),
        };
        return new IdsDataset("complete_journey", sequences, attributes, columns, seed, 0.1);
    }

    private static string? Empty(string value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
