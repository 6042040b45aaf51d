using Microsoft.ML;
using MLNetExtensions.Estimators.Ids;

namespace MLNetExtensions.Tests.Ids;

/// <summary>How interactions become item sequences: per user, in time order, split by session or by an inactivity gap.</summary>
public sealed class InteractionSequencesTests
{
    private static readonly DateTime Start = new(2024, 3, 1, 9, 0, 0);
    private readonly MLContext _mlContext = new(seed: 1);

    private sealed class Visit
    {
        public string User { get; set; } = string.Empty;
        public string Item { get; set; } = string.Empty;
        public string Basket { get; set; } = string.Empty;
        public DateTime Time { get; set; }
        public DateTimeOffset Offset { get; set; }
        public double Hours { get; set; }
        public long Nanoseconds { get; set; }
        public float Seconds { get; set; }
        public string Note { get; set; } = string.Empty;
    }

    private static Visit At(string user, string item, double hours, string basket = "") =>
        new() { User = user, Item = item, Basket = basket, Time = Start.AddHours(hours), Offset = new DateTimeOffset(Start.AddHours(hours), TimeSpan.FromHours(2)), Hours = hours };

    private static IdEmbeddingOptions Options(string? timestamp = nameof(Visit.Time), string? session = null, TimeSpan? gap = null) => new()
    {
        UserColumnName = nameof(Visit.User),
        ItemColumnName = nameof(Visit.Item),
        TimestampColumnName = timestamp,
        SessionColumnName = session,
        InactivityGap = gap,
    };

    private List<string[]> Read(IEnumerable<Visit> visits, IdEmbeddingOptions options) =>
        InteractionSequences.Read(_mlContext.Data.LoadFromEnumerable(visits.ToList()), options);

    [Theory]
    [InlineData(nameof(Visit.Time))]
    [InlineData(nameof(Visit.Offset))]
    [InlineData(nameof(Visit.Hours))]
    public void Sequences_FollowTheTimestamp_PerUserInOrdinalOrder_TiesKeepingTheViewsOrder(string timestamp)
    {
        var visits = new[]
        {
            At("u2", "c", 5), At("u1", "b", 2), At("u2", "a", 1), At("u1", "a", 1), At("u1", "tie-first", 3), At("u1", "tie-second", 3),
        };

        Read(visits, Options(timestamp)).Should().BeEquivalentTo(
            new[] { new[] { "a", "b", "tie-first", "tie-second" }, new[] { "a", "c" } },
            o => o.WithStrictOrdering());
    }

    [Theory]
    [InlineData(nameof(Visit.Time))]
    [InlineData(nameof(Visit.Nanoseconds))]
    public void TimesOneTickApart_AndIntegersBeyondDoublePrecision_KeepTheirOrder(string timestamp)
    {
        // DateTime ticks (about 6.4e17) and integers above 2^53 differ in their last unit here, which a double loses.
        const long Base = 1_700_000_000_000_000_000;
        var visits = new[]
        {
            new Visit { User = "u1", Item = "second", Time = Start.AddTicks(1), Nanoseconds = Base + 1 },
            new Visit { User = "u1", Item = "first", Time = Start, Nanoseconds = Base },
        };

        Read(visits, Options(timestamp)).Should().BeEquivalentTo(new[] { new[] { "first", "second" } }, o => o.WithStrictOrdering());
    }

    [Fact]
    public void SingleTimestamps_OrderSmallValues_AndRefuseValuesASingleCannotKeepApart()
    {
        var small = new[] { new Visit { User = "u1", Item = "second", Seconds = 2 }, new Visit { User = "u1", Item = "first", Seconds = 1 } };
        Read(small, Options(nameof(Visit.Seconds))).Should().BeEquivalentTo(new[] { new[] { "first", "second" } }, o => o.WithStrictOrdering());
        var missing = small.Append(new Visit { User = "u1", Item = "undated", Seconds = float.NaN });
        Read(missing, Options(nameof(Visit.Seconds))).Should().BeEquivalentTo(
            new[] { new[] { "first", "second" } }, o => o.WithStrictOrdering(), "a missing time (NaN, as the text loader reads an empty field) has no place in the order: the row is skipped");
        var allMissing = () => Read(new[] { new Visit { User = "u1", Item = "a", Seconds = float.NaN } }, Options(nameof(Visit.Seconds)));
        allMissing.Should().Throw<InvalidOperationException>().WithMessage("*and a time ('Seconds' not NaN)*nothing to train on*");

        // Unix seconds 10 s apart: as Single they are one value, and the order would silently be the view's.
        var unix = new[] { new Visit { User = "u1", Item = "second", Seconds = 1_700_000_010f }, new Visit { User = "u1", Item = "first", Seconds = 1_700_000_000f } };
        var read = () => Read(unix, Options(nameof(Visit.Seconds)));
        read.Should().Throw<InvalidOperationException>().WithMessage("*'Seconds' (TimestampColumnName) is Single*Double, Int64 or DateTime*");
    }

    [Fact]
    public void WithoutATimestamp_AUsersRowsKeepTheViewsOrder()
    {
        var visits = new[] { At("u1", "z", 9), At("u1", "y", 1), At("u1", "x", 5) };
        Read(visits, Options(timestamp: null)).Should().BeEquivalentTo(new[] { new[] { "z", "y", "x" } }, o => o.WithStrictOrdering());
    }

    [Fact]
    public void ASessionColumn_SplitsAUsersSequence_WhereTheSessionChanges()
    {
        var visits = new[]
        {
            At("u1", "a", 0, "b1"), At("u1", "b", 0.1, "b1"), At("u1", "c", 30, "b2"), At("u1", "d", 30.2, "b2"), At("u1", "e", 31, "b2"),
            At("u2", "f", 1, "b1"), At("u2", "g", 2, "b1"),
        };

        Read(visits, Options(session: nameof(Visit.Basket))).Should().BeEquivalentTo(
            new[] { new[] { "a", "b" }, new[] { "c", "d", "e" }, new[] { "f", "g" } },
            o => o.WithStrictOrdering());
        Read(visits, Options()).Should().HaveCount(2, "without the session column each user is one sequence");
    }

    [Fact]
    public void AnInactivityGap_SplitsWhereConsecutiveInteractionsAreFurtherApart_ThanTheGap()
    {
        // Gaps of 1 h, exactly 2 h (kept together: only a longer gap splits), 2 h 1 min and 30 min.
        var visits = new[] { At("u1", "a", 0), At("u1", "b", 1), At("u1", "c", 3), At("u1", "d", 5 + (1.0 / 60)), At("u1", "e", 5.5 + (1.0 / 60)) };

        Read(visits, Options(gap: TimeSpan.FromHours(2))).Should().BeEquivalentTo(
            new[] { new[] { "a", "b", "c" }, new[] { "d", "e" } },
            o => o.WithStrictOrdering());
        Read(visits, Options(timestamp: nameof(Visit.Offset), gap: TimeSpan.FromMinutes(45))).Should().BeEquivalentTo(
            new[] { new[] { "a" }, new[] { "b" }, new[] { "c" }, new[] { "d", "e" } },
            o => o.WithStrictOrdering());
    }

    [Fact]
    public void RowsWithAMissingUserOrItem_AreSkipped()
    {
        var visits = new[] { At("u1", "a", 0), At(string.Empty, "orphan", 1), At("u1", string.Empty, 2), At("u1", "b", 3) };
        Read(visits, Options()).Should().BeEquivalentTo(new[] { new[] { "a", "b" } }, o => o.WithStrictOrdering());
    }

    [Fact]
    public void AnInactivityGap_OnANumericTimestamp_IsRejected_NamingTheGap()
    {
        var act = () => Read(new[] { At("u1", "a", 0) }, Options(timestamp: nameof(Visit.Hours), gap: TimeSpan.FromHours(1)));
        act.Should().Throw<ArgumentException>().Where(e => e.ParamName == "InactivityGap" && e.Message.Contains("'Hours'") && e.Message.Contains("DateTime"));
    }

    [Fact]
    public void ATimestampColumnOfTheWrongType_OrMissing_IsNamed()
    {
        var wrongType = () => Read(new[] { At("u1", "a", 0) }, Options(timestamp: nameof(Visit.Note)));
        wrongType.Should().Throw<ArgumentOutOfRangeException>().Where(e => e.ParamName == "TimestampColumnName" && e.Message.Contains("'Note'") && e.Message.Contains("DateTime"));

        var missing = () => Read(new[] { At("u1", "a", 0) }, Options(timestamp: "When"));
        missing.Should().Throw<ArgumentOutOfRangeException>().Where(e => e.ParamName == "TimestampColumnName" && e.Message.Contains("'When'"));
    }

    [Fact]
    public void AMissingSessionColumn_IsNamed()
    {
        var act = () => Read(new[] { At("u1", "a", 0) }, Options(session: "Basket2"));
        act.Should().Throw<ArgumentOutOfRangeException>().Where(e => e.ParamName == "SessionColumnName" && e.Message.Contains("'Basket2'"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void ANonPositiveInactivityGap_IsRejected(int minutes)
    {
        var options = Options(gap: TimeSpan.FromMinutes(minutes));
        var act = options.Validate;
        act.Should().Throw<ArgumentException>().Where(e => e.ParamName == "InactivityGap");
    }

    [Fact]
    public void AnInactivityGap_WithoutATimestamp_IsRejected()
    {
        var options = Options(timestamp: null, gap: TimeSpan.FromHours(1));
        var act = options.Validate;
        act.Should().Throw<ArgumentException>().Where(e => e.ParamName == "InactivityGap" && e.Message.Contains("TimestampColumnName"));
    }
}
