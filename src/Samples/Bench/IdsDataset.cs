using MLNetExtensions.Estimators.Data;
using MLNetExtensions.Estimators.Ids;

namespace MLNetExtensions.Samples.Bench;

/// <summary>A test or validation case: rank every item from the user's items before <see cref="Target"/>.</summary>
/// <param name="Before">Indices of the items just before the target, oldest first: up to <see cref="IdsDataset.MaximumRecentItems"/>.</param>
/// <param name="Target">Index of the item to find.</param>
internal readonly record struct IdsCase(int[] Before, int Target)
{
    /// <summary>The item just before the target.</summary>
    public int LastItem => Before[^1];
}

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
        IdsCase Case(string[] user, int target) =>
            new(user[Math.Max(0, target - MaximumRecentItems)..target].Select(item => index[item]).ToArray(), index[user[target]]);
        Test = users.Select(s => Case(s, s.Length - 1)).ToList();
        Validation = users.Select(s => Case(s, s.Length - 2)).ToList();
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

    /// <summary>How many of the items before a target a case keeps: the most any ranking rule of the benchmark reads.</summary>
    public const int MaximumRecentItems = 10;

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
