using Microsoft.ML;
using MLNetExtensions.Estimators.Ids;

namespace MLNetExtensions.Tests.Ids;

/// <summary>Synthetic shopping data: items in four groups, every user buys within one group.</summary>
internal static class IdTestData
{
    public const int Groups = 4;
    public const int ItemsPerGroup = 6;

    public sealed class Interaction
    {
        public string UserId { get; set; } = string.Empty;
        public string ItemId { get; set; } = string.Empty;
        public DateTime Time { get; set; }
    }

    public sealed class ItemRow
    {
        public string ItemId { get; set; } = string.Empty;
        public string Group { get; set; } = string.Empty;
        public string Brand { get; set; } = string.Empty;
    }

    public sealed class IntInteraction
    {
        public int UserId { get; set; }
        public long ItemId { get; set; }
        public int Time { get; set; }
    }

    public sealed class IntItemRow
    {
        public long ItemId { get; set; }
        public int Group { get; set; }
    }

    public static string Item(int group, int index) => $"g{group}i{index}";

    /// <summary><see cref="Interactions"/> with integer IDs: user n, item 1000 + 10 · group + index, hours since 2024-01-01.</summary>
    public static List<IntInteraction> IntegerInteractions() => Interactions().Select(r => new IntInteraction
    {
        UserId = int.Parse(r.UserId[1..]),
        ItemId = 1000 + (r.ItemId[1] - '0') * 10 + (r.ItemId[3] - '0'),
        Time = (int)(r.Time - new DateTime(2024, 1, 1)).TotalHours,
    }).ToList();

    /// <summary>The integer items' groups, as in <see cref="IntegerInteractions"/>.</summary>
    public static List<IntItemRow> IntegerItems() =>
        Enumerable.Range(0, Groups).SelectMany(g => Enumerable.Range(0, ItemsPerGroup).Select(i => new IntItemRow { ItemId = 1000 + g * 10 + i, Group = g })).ToList();

    /// <summary>The cold item: in the attribute table (group 0), never bought.</summary>
    public const string ColdItem = "g0cold";

    public static List<Interaction> Interactions(int users = 48, int length = 10, int seed = 1)
    {
        var random = new Random(seed);
        var start = new DateTime(2024, 1, 1);
        var rows = new List<Interaction>();
        for (int u = 0; u < users; u++)
        {
            int group = u % Groups;
            for (int t = 0; t < length; t++)
            {
                rows.Add(new Interaction { UserId = $"u{u}", ItemId = Item(group, random.Next(ItemsPerGroup)), Time = start.AddHours(u + (t * 3.0)) });
            }
        }

        // Shuffle the rows: sequences must come from the timestamps, not the view's order.
        return rows.OrderBy(_ => random.Next()).ToList();
    }

    public static List<ItemRow> Items()
    {
        var rows = new List<ItemRow>();
        for (int g = 0; g < Groups; g++)
        {
            for (int i = 0; i < ItemsPerGroup; i++)
            {
                rows.Add(new ItemRow { ItemId = Item(g, i), Group = $"G{g}", Brand = i % 2 == 0 ? "even" : "odd" });
            }
        }

        rows.Add(new ItemRow { ItemId = ColdItem, Group = "G0", Brand = "even" });
        return rows;
    }

    public static IdEmbeddingOptions Options(MLContext mlContext, bool withAttributes = true) => new()
    {
        UserColumnName = nameof(Interaction.UserId),
        ItemColumnName = nameof(Interaction.ItemId),
        TimestampColumnName = nameof(Interaction.Time),
        ItemAttributes = withAttributes ? mlContext.Data.LoadFromEnumerable(Items()) : null,
        AttributeColumns = withAttributes ? new[] { new AttributeIdColumn(nameof(ItemRow.Group), 4), new AttributeIdColumn(nameof(ItemRow.Brand), 3) } : Array.Empty<AttributeIdColumn>(),
        ItemDimension = 8,
        WindowSize = 2,
        NegativeCount = 2,
        BatchSize = 8,
        PositionsPerRow = 8,
        Epochs = 15,
        LearningRate = 0.05,
        Seed = 7,
        NumberOfThreads = 1,
        LogEveryNSteps = 1000,
    };
}
