using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExtensions.Estimators.Ids;
using MLNetExtensions.Transforms.Ids;
using MLNetExtensions.Transforms.ModelFiles;

namespace MLNetExtensions.Tests.Ids;

/// <summary>Bad input gives a clear exception naming the option, or the documented behaviour.</summary>
public sealed class IdEmbeddingBadInputTests
{
    private readonly MLContext _mlContext = new(seed: 1);

    private IdEmbeddingOptions Quick(bool withAttributes = true)
    {
        var options = IdTestData.Options(_mlContext, withAttributes);
        options.Epochs = 1;
        return options;
    }

    private IDataView Interactions(IEnumerable<IdTestData.Interaction> rows) => _mlContext.Data.LoadFromEnumerable(rows.ToList());

    [Fact]
    public void EmptyInteractions_SayThereIsNothingToTrainOn()
    {
        var act = () => _mlContext.Transforms.IdEmbedding(Quick()).Fit(Interactions(Array.Empty<IdTestData.Interaction>()));
        act.Should().Throw<InvalidOperationException>().WithMessage("*no row*UserId*ItemId*nothing to train*");
    }

    [Fact]
    public void ASequenceOfOneItem_AddsNoPair_AndNoError()
    {
        var rows = IdTestData.Interactions(users: 8, length: 5);
        var single = new IdTestData.Interaction { UserId = "lonely", ItemId = IdTestData.Item(0, 0), Time = new DateTime(2024, 2, 1) };
        using var without = _mlContext.Transforms.IdEmbedding(Quick()).Fit(Interactions(rows));
        using var with = _mlContext.Transforms.IdEmbedding(Quick()).Fit(Interactions(rows.Append(single)));
        with.TrainingSummary!.TrainingPairs.Should().Be(without.TrainingSummary!.TrainingPairs);
        with.TrainingSummary.Sequences.Should().Be(without.TrainingSummary.Sequences + 1);

        var act = () => _mlContext.Transforms.IdEmbedding(Quick()).Fit(Interactions(new[] { single }));
        act.Should().Throw<InvalidOperationException>().WithMessage("*no training pair*single item*");
    }

    [Fact]
    public void AnItemSeenOnlyInOneItemSequences_IsNotTrained_AndGetsItsVectorFromItsAttributes()
    {
        var rows = IdTestData.Interactions(users: 8, length: 5)
            .Append(new IdTestData.Interaction { UserId = "lonely", ItemId = "solo", Time = new DateTime(2024, 2, 1) })
            .Append(new IdTestData.Interaction { UserId = "alone", ItemId = "no-row-solo", Time = new DateTime(2024, 2, 1) });
        var options = Quick();
        var items = IdTestData.Items();
        items.Add(new IdTestData.ItemRow { ItemId = "solo", Group = "G0", Brand = "even" });
        options.ItemAttributes = _mlContext.Data.LoadFromEnumerable(items);
        using var model = _mlContext.Transforms.IdEmbedding(options).Fit(Interactions(rows));

        model.IsTrained("solo").Should().BeFalse("a sequence of one item trains nothing");
        model.GetItemVector("solo").Should().Equal(model.VectorFromAttributes(new Dictionary<string, string?> { ["Group"] = "G0", ["Brand"] = "even" }), (a, b) => Math.Abs(a - b) < 1e-6f);
        model.GetItemVector("no-row-solo").Should().BeNull("without pairs or attributes the item is unknown");
    }

    [Fact]
    public void IdsThatShareAWord2VecToken_AreRefusedByTheExport_BeforeAnythingIsWritten()
    {
        var rows = IdTestData.Interactions(users: 8, length: 5).Select(r => new IdTestData.Interaction
        {
            UserId = r.UserId,
            ItemId = r.ItemId == IdTestData.Item(0, 0) ? "A B" : r.ItemId == IdTestData.Item(0, 1) ? "A_B" : r.ItemId,
            Time = r.Time,
        });
        using var model = _mlContext.Transforms.IdEmbedding(Quick(withAttributes: false)).Fit(Interactions(rows));
        var writer = new StringWriter();
        var export = () => model.ExportWord2Vec(writer);
        export.Should().Throw<InvalidOperationException>().WithMessage("*'A B'*'A_B'*token 'A_B'*whitespace*");
        writer.ToString().Should().BeEmpty();
        model.GetItemVector("A B").Should().NotEqual(model.GetItemVector("A_B"), "both IDs keep their own vectors");
    }

    [Fact]
    public void AnItemWithNoAttributeRow_IsTrained_WithoutAttributeTerms()
    {
        var rows = IdTestData.Interactions(users: 8, length: 5).Append(new IdTestData.Interaction { UserId = "u0", ItemId = "no-row", Time = new DateTime(2025, 1, 1) });
        using var model = _mlContext.Transforms.IdEmbedding(Quick()).Fit(Interactions(rows));
        model.IsTrained("no-row").Should().BeTrue();
        int index = model.Items.ToList().IndexOf("no-row");
        model.Space.Attributes.Should().OnlyContain(a => a.ItemValues[index] == -1 && a.Weight(a.RowOfItem(index)) == 0f);
    }

    [Fact]
    public void ADuplicatedItemRow_TheFirstRowWins_AndAWarningIsLogged()
    {
        var options = Quick();
        var items = IdTestData.Items();
        items.Add(new IdTestData.ItemRow { ItemId = IdTestData.Item(0, 0), Group = "G3", Brand = "odd" });
        options.ItemAttributes = _mlContext.Data.LoadFromEnumerable(items);
        var warnings = new List<string>();
        _mlContext.Log += (_, e) => { lock (warnings) { if (e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Warning) { warnings.Add(e.RawMessage); } } };
        using var model = _mlContext.Transforms.IdEmbedding(options).Fit(Interactions(IdTestData.Interactions(users: 8, length: 5)));
        int index = model.Items.ToList().IndexOf(IdTestData.Item(0, 0));
        var group = model.Space.Attributes[0];
        group.Values[group.ItemValues[index]].Should().Be("G0");
        group.Counts[group.Vocabulary.IndexOf("G3")].Should().Be(IdTestData.ItemsPerGroup, "the ignored row is not counted");
        warnings.Should().Contain(w => w.Contains("1 repeated item row"));
    }

    [Fact]
    public void AnAttributeColumnOfAnUnsupportedType_IsNamed()
    {
        var options = Quick();
        options.ItemAttributes = _mlContext.Data.LoadFromEnumerable(new[] { new PricedItem { ItemId = "a", Price = 1.5f } });
        options.AttributeColumns = new[] { new AttributeIdColumn("Price", 4) };
        var act = () => _mlContext.Transforms.IdEmbedding(options).Fit(Interactions(IdTestData.Interactions(users: 4, length: 3)));
        act.Should().Throw<ArgumentOutOfRangeException>().Where(e => e.ParamName == "AttributeColumns" && e.Message.Contains("'Price'") && e.Message.Contains("Single"));
    }

    [Theory]
    [InlineData("WindowSize")]
    [InlineData("ItemDimension")]
    [InlineData("NegativeCount")]
    [InlineData("NegativePoolSize")]
    [InlineData("AttributeColumns")]
    public void AZeroWindowOrDimension_IsRejected_NamingTheOption(string option)
    {
        var options = Quick();
        switch (option)
        {
            case "WindowSize": options.WindowSize = 0; break;
            case "ItemDimension": options.ItemDimension = 0; break;
            case "NegativeCount": options.NegativeCount = 0; break;
            case "NegativePoolSize": options.NegativePoolSize = 0; break;
            default: options.AttributeColumns = new[] { new AttributeIdColumn("Group", 0) }; break;
        }

        var act = () => _mlContext.Transforms.IdEmbedding(options);
        act.Should().Throw<ArgumentOutOfRangeException>().Where(e => e.ParamName == option && e.Message.Contains(option));
    }

    [Fact]
    public void AMissingColumn_IsNamed_WithItsOption()
    {
        var options = Quick();
        options.UserColumnName = "Customer";
        var act = () => _mlContext.Transforms.IdEmbedding(options).Fit(Interactions(IdTestData.Interactions(users: 4, length: 3)));
        act.Should().Throw<ArgumentOutOfRangeException>().Where(e => e.ParamName == "UserColumnName" && e.Message.Contains("'Customer'"));
    }

    [Fact]
    public void AnUnseenItemWithoutAttributes_FollowsTheErrorRule_WhenAskedTo()
    {
        var options = Quick(withAttributes: false);
        options.UnseenItems = UnseenItemHandling.Error;
        using var model = _mlContext.Transforms.IdEmbedding(options).Fit(Interactions(IdTestData.Interactions(users: 8, length: 5)));
        var input = _mlContext.Data.LoadFromEnumerable(new[] { new IdTestData.Interaction { UserId = "x", ItemId = "mystery" } });
        var act = () => model.Transform(input).GetColumn<float[]>("ItemEmbedding").ToArray();
        act.Should().Throw<InvalidOperationException>().WithMessage("*'mystery'*ItemId*UnseenItems*");
        model.Invoking(m => m.MostSimilar("mystery", 3)).Should().Throw<ArgumentException>().WithMessage("*'mystery' is unknown*");
        model.Invoking(m => m.MostSimilar(IdTestData.Item(0, 0), 3, "Colour")).Should().Throw<ArgumentException>().WithMessage("*'Colour' is not an attribute column*");
    }

    [Fact]
    public void TheUnseenItemRule_CanBeChangedOnAFittedModel_AndTravelsInItsModelFile()
    {
        using var model = _mlContext.Transforms.IdEmbedding(Quick(withAttributes: false)).Fit(Interactions(IdTestData.Interactions(users: 8, length: 5)));
        var input = _mlContext.Data.LoadFromEnumerable(new[] { new IdTestData.Interaction { UserId = "x", ItemId = "mystery" } });
        model.UnseenItems.Should().Be(UnseenItemHandling.Zero, "the default");
        model.Transform(input).GetColumn<float[]>("ItemEmbedding").Single().Should().OnlyContain(v => v == 0f);

        model.UnseenItems = UnseenItemHandling.Error;
        var act = () => model.Transform(input).GetColumn<float[]>("ItemEmbedding").ToArray();
        act.Should().Throw<InvalidOperationException>().WithMessage("*'mystery'*");
        string path = Path.Combine(Path.GetTempPath(), $"ids-unseen-{Guid.NewGuid():N}.zip");
        try
        {
            _mlContext.Model.SaveWithTensors(model, input.Schema, path);
            using var loaded = (IdEmbeddingTransformer)_mlContext.Model.LoadWithTensors(path, out _);
            loaded.UnseenItems.Should().Be(UnseenItemHandling.Error);
            loaded.UnseenItems = UnseenItemHandling.Zero;
            loaded.Transform(input).GetColumn<float[]>("ItemEmbedding").Single().Should().OnlyContain(v => v == 0f);
        }
        finally
        {
            File.Delete(path);
        }

        var undefined = () => model.UnseenItems = (UnseenItemHandling)7;
        undefined.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("UnseenItems");
    }

    [Fact]
    public void AnItemWhoseAttributeIdsNoTrainedItemCarries_HasNoVector_AndFollowsTheUnseenRule()
    {
        var options = Quick();
        options.UnseenItems = UnseenItemHandling.Error;
        var items = IdTestData.Items();
        items.Add(new IdTestData.ItemRow { ItemId = "orphan", Group = "G9", Brand = "unbranded" });
        options.ItemAttributes = _mlContext.Data.LoadFromEnumerable(items);
        using var model = _mlContext.Transforms.IdEmbedding(options).Fit(Interactions(IdTestData.Interactions(users: 8, length: 5)));
        string trained = IdTestData.Item(0, 0);

        model.Items.Should().Contain("orphan").And.Contain(IdTestData.ColdItem);
        model.GetItemVector("orphan").Should().BeNull("none of its IDs was trained, so it has no vector");
        model.GetItemVector(IdTestData.ColdItem).Should().NotBeNull("its group G0 was trained");
        model.MostSimilar(trained, model.Items.Count).Select(s => s.Id).Should().NotContain("orphan").And.Contain(IdTestData.ColdItem);
        model.UserEmbedding(new[] { trained, "orphan" }).Should().Equal(model.GetItemVector(trained), "an item without a vector does not dilute the mean");

        var export = new StringWriter();
        model.ExportWord2Vec(export);
        var lines = export.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines[0].Should().Be($"{model.Items.Count - 1} {model.Dimension}");
        lines.Should().HaveCount(model.Items.Count).And.NotContain(line => line.StartsWith("orphan "));

        var known = () => model.Transform(_mlContext.Data.LoadFromEnumerable(new[] { new IdTestData.Interaction { UserId = "x", ItemId = "orphan" } })).GetColumn<float[]>("ItemEmbedding").ToArray();
        known.Should().Throw<InvalidOperationException>().WithMessage("*'orphan'*no attribute ID that a trained item carries*UnseenItems*");
        var missing = () => model.Transform(_mlContext.Data.LoadFromEnumerable(new[] { new IdTestData.Interaction { UserId = "x", ItemId = string.Empty } })).GetColumn<float[]>("ItemEmbedding").ToArray();
        missing.Should().Throw<InvalidOperationException>().WithMessage("*column 'ItemId' has no item ID (empty text or key 0)*UnseenItems = Zero*");
        var untrainedIds = new[] { new IdTestData.ItemRow { ItemId = "newcomer", Group = "G9", Brand = "unbranded" } };
        var unknown = () => model.Transform(_mlContext.Data.LoadFromEnumerable(untrainedIds)).GetColumn<float[]>("ItemEmbedding").ToArray();
        unknown.Should().Throw<InvalidOperationException>().WithMessage("*'newcomer'*");
        var usable = new[] { new IdTestData.ItemRow { ItemId = "newcomer", Group = "G1", Brand = "unbranded" } };
        model.Transform(_mlContext.Data.LoadFromEnumerable(usable)).GetColumn<float[]>("ItemEmbedding").Single()
            .Should().Equal(model.VectorFromAttributes(new Dictionary<string, string?> { ["Group"] = "G1" }));
    }

    private sealed class PricedItem
    {
        public string ItemId { get; set; } = string.Empty;
        public float Price { get; set; }
    }
}
