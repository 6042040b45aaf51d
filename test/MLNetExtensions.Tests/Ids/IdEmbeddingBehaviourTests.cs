using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExtensions.Estimators.Ids;
using MLNetExtensions.Transforms.Ids;
using MLNetExtensions.Transforms.ModelFiles;

namespace MLNetExtensions.Tests.Ids;

/// <summary>What a fitted ID-embedding model does: vectors, similar items, users, recommendations, cold items.</summary>
public sealed class IdEmbeddingBehaviourTests : IClassFixture<IdEmbeddingBehaviourTests.FittedModel>
{
    private readonly MLContext _mlContext = new(seed: 1);
    private readonly IdEmbeddingTransformer _model;

    public IdEmbeddingBehaviourTests(FittedModel fitted)
    {
        _model = fitted.Model;
    }

    /// <summary>One model fitted on the synthetic groups, shared by the tests of this class.</summary>
    public sealed class FittedModel : IDisposable
    {
        public FittedModel()
        {
            var mlContext = new MLContext(seed: 1);
            Model = mlContext.Transforms.IdEmbedding(IdTestData.Options(mlContext)).Fit(mlContext.Data.LoadFromEnumerable(IdTestData.Interactions()));
        }

        public IdEmbeddingTransformer Model { get; }

        public void Dispose() => Model.Dispose();
    }

    private static int GroupOf(string item) => item[1] - '0';

    [Fact]
    public void MostSimilar_FindsItemsOfTheSameGroup_AndExcludesTheItem()
    {
        var similar = _model.MostSimilar(IdTestData.Item(2, 0), 4);
        similar.Should().HaveCount(4);
        similar.Select(s => s.Id).Should().NotContain(IdTestData.Item(2, 0));
        similar.Count(s => s.Id != IdTestData.ColdItem && GroupOf(s.Id) == 2).Should().BeGreaterThanOrEqualTo(3, "users buy within one group");
        similar.Select(s => s.Score).Should().BeInDescendingOrder();
    }

    [Fact]
    public void MostSimilar_WithAnAttributeFilter_KeepsOnlyMatchingItems()
    {
        var sameBrand = _model.MostSimilar(IdTestData.Item(1, 0), 30, "Brand");
        sameBrand.Should().NotBeEmpty();
        sameBrand.Should().OnlyContain(s => s.Id == IdTestData.ColdItem || (s.Id[3] - '0') % 2 == 0, "item 0 is of brand 'even'");
        var groupThree = _model.MostSimilar(IdTestData.Item(1, 0), 30, "Group", "G3");
        groupThree.Select(s => s.Id).Should().BeEquivalentTo(Enumerable.Range(0, IdTestData.ItemsPerGroup).Select(i => IdTestData.Item(3, i)));
        _model.MostSimilar(IdTestData.Item(1, 0), 30, "Group", "no-such-group").Should().BeEmpty("no trained item carries that ID");
        var valueWithoutColumn = () => _model.MostSimilar(IdTestData.Item(1, 0), 3, attributeValue: "G3");
        valueWithoutColumn.Should().Throw<ArgumentException>().WithParameterName("attributeColumn").WithMessage("*'G3'*attributeColumn*");
    }

    [Fact]
    public void UserEmbedding_IsTheMeanOfTheMostRecentKnownItems()
    {
        var recent = new[] { IdTestData.Item(0, 1), "never-seen", IdTestData.Item(1, 2), IdTestData.Item(1, 3) };
        var user = _model.UserEmbedding(recent, mostRecent: 2);
        var a = _model.GetItemVector(IdTestData.Item(1, 2))!;
        var b = _model.GetItemVector(IdTestData.Item(1, 3))!;
        user.Should().Equal(a.Zip(b, (x, y) => (x / 2f) + (y / 2f)), (x, y) => Math.Abs(x - y) < 1e-6f);
        _model.UserEmbedding(new[] { "never-seen" }).Should().OnlyContain(v => v == 0f);
    }

    [Theory]
    [InlineData(IdRecommendationScore.NextItem)]
    [InlineData(IdRecommendationScore.Cosine)]
    public void Recommend_RanksTheUsersGroup_AndCanExcludeSeenItems(IdRecommendationScore score)
    {
        var history = new[] { IdTestData.Item(3, 0), IdTestData.Item(3, 1), IdTestData.Item(3, 2) };
        var withSeen = _model.Recommend(history, 3, excludeSeen: false, score);
        var unseen = _model.Recommend(history, 3, excludeSeen: true, score);
        unseen.Select(s => s.Id).Should().NotIntersectWith(history);
        unseen.Should().OnlyContain(s => GroupOf(s.Id) == 3);
        withSeen.Should().OnlyContain(s => GroupOf(s.Id) == 3);
        withSeen.Select(s => s.Score).Should().BeInDescendingOrder();
        if (score == IdRecommendationScore.Cosine)
        {
            withSeen.Select(s => s.Id).Should().IntersectWith(history, "an item is the closest to a mean it is part of");
        }
    }

    [Fact]
    public void NextItemScores_AreThePairScoreOfTheMeanJointVector_PlusTheSamplersLogPrior()
    {
        var history = new[] { IdTestData.Item(0, 4), IdTestData.Item(1, 2), IdTestData.Item(1, 5) };
        var ranked = _model.Recommend(history, 100, excludeSeen: false, IdRecommendationScore.NextItem, mostRecent: 2);

        var space = _model.Space;
        var tables = space.Tables;
        int n = space.TrainedItemCount;
        float[] Row(TorchSharp.torch.Tensor table, int row) => table.detach()[row].data<float>().ToArray();
        // The paper's joint vectors: the item's own part, then w_ik times its row of each attribute type's table.
        float[] Joint(int item, bool context)
        {
            var parts = new List<float>(item < n ? Row(context ? tables.ItemContext! : tables.Item, item) : context ? new float[8] : space.VectorOf(item).Take(8));
            for (int k = 0; k < space.Attributes.Count; k++)
            {
                var type = space.Attributes[k];
                int row = type.RowOfItem(item);
                parts.AddRange(Row(context ? tables.AttributeContexts[k] : tables.Attributes[k], row).Select(v => v * type.Weight(row)));
            }

            return parts.ToArray();
        }

        var recent = history.Skip(1).Select(space.Items.IndexOf).ToArray();
        var user = Joint(recent[0], false).Zip(Joint(recent[1], false), (a, b) => (a + b) / 2).ToArray();
        // The default sampler is the paper's log-uniform one over items ranked by frequency (the trained items' order).
        double LogPrior(int item) => Math.Log(Math.Log((Math.Min(item, n - 1) + 2.0) / (Math.Min(item, n - 1) + 1.0)) / Math.Log(n + 1.0));
        double TrainedScore(int j) => Joint(j, true).Zip(user, (c, u) => (double)c * u).Sum() + LogPrior(j);

        // A never-trained item scores as an average trained item sharing its most specific attribute ID (the one fewest
        // trained items carry): the log of the mean of exp(score) over them.
        int[] Mates(int j) => space.Attributes
            .Where(type => type.RowOfItem(j) != type.MissingRow)
            .Select(type => Enumerable.Range(0, n).Where(i => type.RowOfItem(i) == type.RowOfItem(j)).ToArray())
            .Where(mates => mates.Length > 0)
            .MinBy(mates => mates.Length)!;
        double Score(int j) => j < n ? TrainedScore(j) : Math.Log(Mates(j).Average(i => Math.Exp(TrainedScore(i))));
        var expected = Enumerable.Range(0, space.Items.Count)
            .Where(space.HasVector)
            .Select(j => (Id: space.Items.Ids[j], Score: Score(j)))
            .OrderByDescending(p => p.Score)
            .ToArray();

        ranked.Select(s => s.Id).Should().Equal(expected.Select(p => p.Id));
        ranked.Select(s => (double)s.Score).Should().Equal(expected.Select(p => p.Score), (a, b) => Math.Abs(a - b) < 1e-4);
        int cold = space.Items.IndexOf(IdTestData.ColdItem);
        cold.Should().BeGreaterThanOrEqualTo(n, "the cold item is never trained");
        Mates(cold).Select(i => space.Items.Ids[i]).Should().BeEquivalentTo(Enumerable.Range(0, IdTestData.ItemsPerGroup).Select(i => IdTestData.Item(0, i)), "its group G0 is shared by 6 trained items, its brand by 12");
        _model.Recommend(history, 5).Should().Equal(_model.Recommend(history, 5, score: IdRecommendationScore.NextItem), "NextItem is the default for a model with context tables");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    public void Recommend_ByNextItem_RanksAColdItemAmongTheTrainedItemsOfItsGroup(int historyGroup)
    {
        var history = new[] { IdTestData.Item(historyGroup, 0), IdTestData.Item(historyGroup, 3) };
        var ranked = _model.Recommend(history, 100, excludeSeen: false, IdRecommendationScore.NextItem).Select(s => s.Id).ToList();
        var groupRanks = Enumerable.Range(0, IdTestData.ItemsPerGroup).Select(i => ranked.IndexOf(IdTestData.Item(0, i))).ToArray();
        ranked.IndexOf(IdTestData.ColdItem).Should().BeInRange(groupRanks.Min(), groupRanks.Max(), "it scores as an average trained item of its group G0, whatever the history");
        if (historyGroup == 0)
        {
            ranked.Take(IdTestData.ItemsPerGroup + 1).Should().Contain(IdTestData.ColdItem, "after a G0 history the group's items lead");
        }
    }

    [Fact]
    public void AModelFittedOrLoadedInsideADisposeScope_StillWorksAfterTheScopeEnds_AndSavesWhole()
    {
        string path = Path.Combine(Path.GetTempPath(), $"ids-scope-{Guid.NewGuid():N}.zip");
        var input = _mlContext.Data.LoadFromEnumerable(IdTestData.Interactions(users: 16));
        IdEmbeddingTransformer fitted, loaded;
        using (TorchSharp.torch.NewDisposeScope())
        {
            fitted = _mlContext.Transforms.IdEmbedding(IdTestData.Options(_mlContext)).Fit(input);
        }

        try
        {
            _mlContext.Model.SaveWithTensors(fitted, input.Schema, path);
            using (TorchSharp.torch.NewDisposeScope())
            {
                loaded = (IdEmbeddingTransformer)new MLContext().Model.LoadWithTensors(path, out _);
            }

            using (fitted)
            using (loaded)
            {
                loaded.TrainingSummary.Should().Be(fitted.TrainingSummary);
                loaded.TrainingRecordJson.Should().NotBeNull().And.Be(fitted.TrainingRecordJson, "the summary is the training record, fitted or loaded");
                foreach (var model in new[] { fitted, loaded })
                {
                    model.Recommend(new[] { IdTestData.Item(1, 0) }, 3).Should().Equal(fitted.Recommend(new[] { IdTestData.Item(1, 0) }, 3));
                    model.MostSimilar(IdTestData.Item(1, 0), 3).Should().HaveCount(3);
                    model.GetAttributeVector("Group", "G1").Should().NotBeNull().And.Equal(fitted.GetAttributeVector("Group", "G1"));
                    model.VectorFromAttributes(new Dictionary<string, string?> { ["Group"] = "G2", ["Brand"] = "odd" }).Should().Contain(v => v != 0f);
                }
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void AModelWithoutContextTables_RecommendsByCosine_AndRefusesNextItemScores()
    {
        // A model file of payload version 1 loads its target tables only.
        var space = _model.Space;
        var targetOnly = new IdEmbeddingTables(space.TrainedItemCount, 8, space.Attributes.Select(a => (a.Values.Length + 1, a.Dimension)).ToArray(), withContext: false);
        using (TorchSharp.torch.no_grad())
        {
            foreach (var (name, parameter) in targetOnly.named_parameters())
            {
                parameter.copy_(space.Tables.get_parameter(name)!);
            }
        }

        using var old = new IdEmbeddingTransformer(new IdVectorSpace(targetOnly, space.Items, space.Attributes, space.TrainedItemCount), _model.Settings, null);
        var history = new[] { IdTestData.Item(2, 0), IdTestData.Item(2, 3) };
        old.Recommend(history, 4).Should().Equal(_model.Recommend(history, 4, score: IdRecommendationScore.Cosine));
        var act = () => old.Recommend(history, 4, score: IdRecommendationScore.NextItem);
        act.Should().Throw<InvalidOperationException>().WithMessage("*no context tables*payload version 1*IdRecommendationScore.Cosine*");

        // Saved, it is a version 1 file (target tables only), which loads back through the version 1 path, and again.
        string directory = Directory.CreateTempSubdirectory("ids-v1-").FullName;
        try
        {
            var items = _mlContext.Data.LoadFromEnumerable(IdTestData.Items());
            string path = Path.Combine(directory, "v1.zip");
            _mlContext.Model.SaveWithTensors(old, items.Schema, path);
            using var loaded = (IdEmbeddingTransformer)new MLContext().Model.LoadWithTensors(path, out _);
            loaded.Space.HasContext.Should().BeFalse();
            loaded.Recommend(history, 4).Should().Equal(old.Recommend(history, 4));
            loaded.Transform(items).GetColumn<float[]>("ItemEmbedding").Should().BeEquivalentTo(old.Transform(items).GetColumn<float[]>("ItemEmbedding"), o => o.WithStrictOrdering());
            string again = Path.Combine(directory, "again.zip");
            _mlContext.Model.SaveWithTensors(loaded, items.Schema, again);
            using var reloaded = (IdEmbeddingTransformer)new MLContext().Model.LoadWithTensors(again, out _);
            reloaded.Recommend(history, 4).Should().Equal(old.Recommend(history, 4));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void AColdItem_GetsItsVectorFromItsAttributes_ByTheFormula()
    {
        _model.IsTrained(IdTestData.ColdItem).Should().BeFalse();
        var space = _model.Space;
        var expected = new float[_model.Dimension];
        foreach (var (column, id) in new[] { ("Group", "G0"), ("Brand", "even") })
        {
            int k = _model.AttributeColumnNames.ToList().IndexOf(column);
            var type = space.Attributes[k];
            float w = 1f / type.Counts[type.Vocabulary.IndexOf(id)];
            var e = _model.GetAttributeVector(column, id)!;
            var m = space.Tables.Transitions[k].detach().data<float>().ToArray(); // m_1 × m_k, row-major
            for (int r = 0; r < _model.Dimension; r++)
            {
                for (int c = 0; c < e.Length; c++)
                {
                    expected[r] += w * m[(r * e.Length) + c] * e[c];
                }
            }
        }

        _model.GetItemVector(IdTestData.ColdItem).Should().Equal(expected, (x, y) => Math.Abs(x - y) < 1e-5f);
        _model.VectorFromAttributes(new Dictionary<string, string?> { ["Group"] = "G0", ["Brand"] = "even" })
            .Should().Equal(expected, (x, y) => Math.Abs(x - y) < 1e-5f);
        // G0 is shared by 6 bought items and the cold one: w = 1/7.
        var group = space.Attributes[0];
        group.Counts[group.Vocabulary.IndexOf("G0")].Should().Be(7);
    }

    [Fact]
    public void Transform_AddsItemEmbedding_FromTheTable_OrFromTheInputsAttributes()
    {
        var input = _mlContext.Data.LoadFromEnumerable(new[]
        {
            new IdTestData.ItemRow { ItemId = IdTestData.Item(0, 0), Group = "G0", Brand = "even" },
            new IdTestData.ItemRow { ItemId = "brand-new", Group = "G2", Brand = "odd" },
            new IdTestData.ItemRow { ItemId = "unknown", Group = string.Empty, Brand = string.Empty },
        });
        var vectors = _model.Transform(input).GetColumn<float[]>("ItemEmbedding").ToArray();
        vectors[0].Should().Equal(_model.GetItemVector(IdTestData.Item(0, 0)));
        vectors[1].Should().Equal(_model.VectorFromAttributes(new Dictionary<string, string?> { ["Group"] = "G2", ["Brand"] = "odd" }));
        vectors[1].Should().Contain(v => v != 0f);
        vectors[2].Should().OnlyContain(v => v == 0f, "an unseen item without attribute IDs gets the Zero rule");
        _model.VectorFromAttributes(new Dictionary<string, string?> { ["Group"] = "no-such-group", ["Brand"] = null })
            .Should().BeNull("no trained item carries those IDs, so they give no vector");
        _model.VectorFromAttributes(new Dictionary<string, string?>()).Should().BeNull("no ID at all gives no vector");
        _model.VectorFromAttributes(new Dictionary<string, string?> { ["Group"] = "no-such-group", ["Brand"] = "odd" })
            .Should().Equal(_model.VectorFromAttributes(new Dictionary<string, string?> { ["Brand"] = "odd" }), "an untrained ID contributes nothing");

        var engine = _mlContext.Model.CreatePredictionEngine<IdTestData.ItemRow, EmbeddingRow>(_model);
        engine.Predict(new IdTestData.ItemRow { ItemId = "brand-new", Group = "G2", Brand = "odd" }).ItemEmbedding.Should().Equal(vectors[1]);
    }

    [Fact]
    public void AnItemsVectorFromItsAttributes_DoesNotDependOnTheRowsSharingItsBatch()
    {
        var expected = _model.VectorFromAttributes(new Dictionary<string, string?> { ["Group"] = "G2", ["Brand"] = "odd" });
        foreach (int rows in new[] { 1, 2, 3, 63, 64, 65, 130 })
        {
            for (int position = 0; position < rows; position += Math.Max(1, rows / 3))
            {
                // Other cold items (of other groups) fill the batch around it.
                var input = Enumerable.Range(0, rows).Select(r => r == position
                    ? new IdTestData.ItemRow { ItemId = "brand-new", Group = "G2", Brand = "odd" }
                    : new IdTestData.ItemRow { ItemId = $"other-{r}", Group = $"G{r % IdTestData.Groups}", Brand = r % 2 == 0 ? "even" : "odd" });
                _model.Transform(_mlContext.Data.LoadFromEnumerable(input.ToList())).GetColumn<float[]>("ItemEmbedding").ElementAt(position)
                    .Should().Equal(expected, $"bit for bit, in a batch of {rows} rows at position {position}");
            }
        }
    }

    [Fact]
    public void AfterDispose_EveryQuery_ThrowsObjectDisposedException()
    {
        var mlContext = new MLContext(seed: 1);
        var model = mlContext.Transforms.IdEmbedding(IdTestData.Options(mlContext)).Fit(mlContext.Data.LoadFromEnumerable(IdTestData.Interactions(users: 8)));
        model.Dispose();
        string item = IdTestData.Item(0, 0);
        var queries = new Action[]
        {
            () => model.IsTrained(item),
            () => model.GetItemVector(item),
            () => model.VectorFromAttributes(new Dictionary<string, string?> { ["Group"] = "G0" }),
            () => model.GetAttributeVector("Group", "G0"),
            () => model.MostSimilar(item, 3),
            () => model.UserEmbedding(new[] { item }),
            () => model.Recommend(new[] { item }, 3),
            () => model.ExportWord2Vec(new StringWriter()),
            () => model.ExportWord2Vec(new StringWriter(), "Group"),
            () => model.ExportWord2Vec(Path.Combine(Path.GetTempPath(), $"disposed-{Guid.NewGuid():N}.vec")),
        };
        foreach (var query in queries)
        {
            query.Should().Throw<ObjectDisposedException>();
        }
    }

    [Fact]
    public void Word2VecExport_WritesAHeaderAndOneLinePerVector()
    {
        var writer = new StringWriter { NewLine = "\r\n" };
        _model.ExportWord2Vec(writer);
        writer.NewLine.Should().Be("\r\n", "the caller's writer is left as it was");
        writer.ToString().Should().NotContain("\r", "the format's lines end with \\n");
        var lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines[0].Should().Be($"{_model.Items.Count} {_model.Dimension}");
        lines.Should().HaveCount(_model.Items.Count + 1);
        var first = lines[1].Split(' ');
        first[0].Should().Be(_model.Items[0]);
        first.Skip(1).Select(v => float.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).Should().Equal(_model.GetItemVector(_model.Items[0]));

        var groups = new StringWriter();
        _model.ExportWord2Vec(groups, "Group");
        var groupLines = groups.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        groupLines[0].Should().Be("4 4");
        groupLines[1].Split(' ')[0].Should().Be("G0");
        Word2VecText.Token("a b\tc").Should().Be("a_b_c");

        string path = Path.Combine(Path.GetTempPath(), $"ids-{Guid.NewGuid():N}.vec");
        try
        {
            _model.ExportWord2Vec(path);
            File.ReadAllText(path).Should().Be(writer.ToString());
            Directory.GetFiles(Path.GetDirectoryName(path)!, Path.GetFileName(path) + ".*.tmp").Should().BeEmpty("the atomic write leaves no temp file");
        }
        finally
        {
            File.Delete(path);
        }
    }

    private sealed class EmbeddingRow
    {
        [Microsoft.ML.Data.VectorType(8)]
        public float[] ItemEmbedding { get; set; } = Array.Empty<float>();
    }
}
