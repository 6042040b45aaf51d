using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExtensions.Estimators.Ids;
using MLNetExtensions.Estimators.Training;
using MLNetExtensions.Tests.TestSupport;
using MLNetExtensions.Tests.Training.Support;
using MLNetExtensions.Transforms.DataView;
using MLNetExtensions.Transforms.Ids;
using MLNetExtensions.Transforms.ModelFiles;

namespace MLNetExtensions.Tests.Ids;

/// <summary>Fitting: seeds, integer IDs, model files and ML.NET pipelines.</summary>
[Collection(TorchGlobalStateCollection.Name)]
public sealed class IdEmbeddingFitTests : IDisposable
{
    private readonly MLContext _mlContext = new(seed: 1);
    private readonly string _directory = Directory.CreateTempSubdirectory("ids-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private IdEmbeddingTransformer Fit(Action<IdEmbeddingOptions>? change = null)
    {
        var options = IdTestData.Options(_mlContext);
        options.Epochs = 3;
        change?.Invoke(options);
        return _mlContext.Transforms.IdEmbedding(options).Fit(_mlContext.Data.LoadFromEnumerable(IdTestData.Interactions()));
    }

    [Fact]
    public void ChangingTheOptionsAfterTheEstimatorIsCreated_DoesNotChangeWhatItFits()
    {
        // Every TorchSharp estimator copies its options when created (TorchTrainerEstimator), as ML.NET's trainers do.
        var options = IdTestData.Options(_mlContext);
        options.Epochs = 1;
        var data = _mlContext.Data.LoadFromEnumerable(IdTestData.Interactions(users: 8, length: 5));
        var estimator = _mlContext.Transforms.IdEmbedding(options);
        options.Epochs = 4;
        options.OutputColumnName = "Other";
        options.WindowSize = 0;
        using var model = estimator.Fit(data);

        model.TrainingSummary!.Epochs.Should().Be(1);
        model.Transform(data).Schema.GetColumnOrNull("ItemEmbedding").Should().NotBeNull();
        model.Transform(data).Schema.GetColumnOrNull("Other").Should().BeNull();
    }

    [Fact]
    public void CancelExecution_MakesFitThrow_InsteadOfReturningAHalfTrainedModel()
    {
        var mlContext = new MLContext(seed: 1);
        var options = IdTestData.Options(mlContext);
        var estimator = mlContext.Transforms.IdEmbedding(options);
        // What mlContext.CancelExecution() (Microsoft.ML.Experimental) calls.
        typeof(MLContext).GetMethod("CancelExecution", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public)!
            .Invoke(mlContext, null);
        var act = () => estimator.Fit(mlContext.Data.LoadFromEnumerable(IdTestData.Interactions()));
        act.Should().Throw<OperationCanceledException>().WithMessage("*cancelled after 0 of*");
    }

    [Fact]
    public void ACancelledUnseededFit_LeavesACheckpoint_AndTheNextFitResumesFromIt_WithItsSeed_ToTheUninterruptedVectors()
    {
        string Export(IdEmbeddingTransformer model)
        {
            var text = new StringWriter();
            model.ExportWord2Vec(text);
            return text.ToString();
        }

        var checkpoints = Path.Combine(_directory, "checkpoints");
        // No seed anywhere: the run draws one, and resuming must continue with it.
        var cancelled = new MLContext();
        var cancelling = IdTestData.Options(cancelled);
        cancelling.Seed = null;
        cancelling.Epochs = 2;
        cancelling.LogEveryNSteps = 5;
        cancelling.CheckpointDirectory = checkpoints;
        int? stoppedAt = null;
        cancelled.Log += (_, e) =>
        {
            var match = System.Text.RegularExpressions.Regex.Match(e.RawMessage, @"\[Step\] step (\d+)/");
            if (stoppedAt is null && match.Success)
            {
                stoppedAt = int.Parse(match.Groups[1].Value);
                typeof(MLContext).GetMethod("CancelExecution", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public)!
                    .Invoke(cancelled, null);
            }
        };
        var fit = () => cancelled.Transforms.IdEmbedding(cancelling).Fit(cancelled.Data.LoadFromEnumerable(IdTestData.Interactions()));
        fit.Should().Throw<OperationCanceledException>().WithMessage("*cancelled after*ids.ckpt*ResumeFromCheckpoint*");
        stoppedAt.Should().Be(5, "the first progress line cancels the run");
        File.Exists(Path.Combine(checkpoints, "ids.ckpt")).Should().BeTrue();

        var resuming = new MLContext();
        var resumingOptions = IdTestData.Options(resuming);
        resumingOptions.Seed = null;
        resumingOptions.Epochs = 2;
        resumingOptions.CheckpointDirectory = checkpoints;
        resumingOptions.ResumeFromCheckpoint = true;
        using var resumed = resuming.Transforms.IdEmbedding(resumingOptions).Fit(resuming.Data.LoadFromEnumerable(IdTestData.Interactions()));
        using var uninterrupted = Fit(o =>
        {
            o.Epochs = 2;
            o.Seed = resumed.TrainingSummary!.Seed;
        });
        Export(resumed).Should().Be(Export(uninterrupted), "on the CPU a resumed run equals an uninterrupted one with the seed the cancelled run drew");
        resumed.TrainingSummary!.Steps.Should().Be(uninterrupted.TrainingSummary!.Steps);

        var noDirectory = () => Fit(o => o.ResumeFromCheckpoint = true);
        noDirectory.Should().Throw<ArgumentException>().WithParameterName(nameof(IdEmbeddingOptions.CheckpointDirectory)).WithMessage("*ResumeFromCheckpoint needs IdEmbeddingOptions.CheckpointDirectory*");
    }

    [Fact]
    public void TheSameSeed_GivesIdenticalVectors_AndAnotherSeedDifferentOnes()
    {
        using var first = Fit();
        using var second = Fit();
        using var other = Fit(o => o.Seed = 8);
        var writer = new StringWriter();
        first.ExportWord2Vec(writer);
        var again = new StringWriter();
        second.ExportWord2Vec(again);
        again.ToString().Should().Be(writer.ToString());
        other.GetItemVector(IdTestData.Item(0, 0)).Should().NotEqual(first.GetItemVector(IdTestData.Item(0, 0)));
        first.TrainingSummary!.Seed.Should().Be(7);
    }

    /// <summary>The test options with the integer items' groups as the one attribute type.</summary>
    private IdEmbeddingOptions IntegerIdOptions(List<IdTestData.IntItemRow> items)
    {
        var options = IdTestData.Options(_mlContext);
        options.ItemAttributes = _mlContext.Data.LoadFromEnumerable(items);
        options.AttributeColumns = new[] { new AttributeIdColumn("Group", 4) };
        options.Seed = 3;
        return options;
    }

    [Fact]
    public void IntegerIds_TrainAndTransform_LikeStrings()
    {
        var interactions = IdTestData.IntegerInteractions();
        var items = IdTestData.IntegerItems();
        var options = IntegerIdOptions(items);
        using var model = _mlContext.Transforms.IdEmbedding(options).Fit(_mlContext.Data.LoadFromEnumerable(interactions));
        model.Items.Should().HaveCount(24).And.Contain("1023");
        model.MostSimilar("1023", 3).Should().OnlyContain(s => s.Id.StartsWith("102"), "items 1020–1025 form group 2");
        var vectors = model.Transform(_mlContext.Data.LoadFromEnumerable(items)).GetColumn<float[]>("ItemEmbedding").ToArray();
        vectors[23].Should().Equal(model.GetItemVector("1035"));
    }

    [Fact]
    public void IntegerIdsMappedToKeys_AreTheSameIds_AsTheIntegersInTheAttributeTable()
    {
        var interactions = IdTestData.IntegerInteractions();
        var items = IdTestData.IntegerItems();
        var options = IntegerIdOptions(items);
        var raw = _mlContext.Data.LoadFromEnumerable(interactions);
        var keyed = _mlContext.Transforms.Conversion.MapValueToKey(nameof(IdTestData.IntInteraction.ItemId)).Fit(raw).Transform(raw);

        using var fromIntegers = _mlContext.Transforms.IdEmbedding(options).Fit(raw);
        using var fromKeys = _mlContext.Transforms.IdEmbedding(options).Fit(keyed);
        fromKeys.Items.Should().BeEquivalentTo(fromIntegers.Items, "a key of an Int64 ID stands for the integer (its KeyValues), not for the key number");
        fromKeys.IsTrained("1023").Should().BeTrue();
        fromKeys.GetItemVector("1023").Should().Equal(fromIntegers.GetItemVector("1023"));
    }

    [Fact]
    public void ItemAndAttributeVectors_AppendTheWeightedAttributeVectors_ToTheSameTrainedItemVector()
    {
        using var itemOnly = Fit();
        using var joint = Fit(o => o.ItemVector = IdItemVector.ItemAndAttributes);
        string item = IdTestData.Item(0, 1);
        var items = IdTestData.Items();
        var row = items.Single(r => r.ItemId == item);

        joint.Dimension.Should().Be(8 + 4 + 3);
        var vector = joint.GetItemVector(item)!;
        vector.Take(8).Should().Equal(itemOnly.GetItemVector(item)!, "the option changes the representation, not the training");
        AssertScaled(vector.Skip(8).Take(4).ToArray(), joint.GetAttributeVector("Group", row.Group)!, 1f / items.Count(r => r.Group == row.Group));
        AssertScaled(vector.Skip(12).ToArray(), joint.GetAttributeVector("Brand", row.Brand)!, 1f / items.Count(r => r.Brand == row.Brand));

        // The output column, the model file and a cold item known from its attributes all use the joint vector.
        var input = _mlContext.Data.LoadFromEnumerable(new[] { row, new IdTestData.ItemRow { ItemId = "new", Group = "G1", Brand = "odd" } });
        string path = Path.Combine(_directory, "joint.zip");
        _mlContext.Model.SaveWithTensors(joint, input.Schema, path);
        using var loaded = (IdEmbeddingTransformer)new MLContext().Model.LoadWithTensors(path, out _);
        var output = loaded.Transform(input).GetColumn<float[]>("ItemEmbedding").ToArray();
        output[0].Should().Equal(vector);
        output[1].Should().HaveCount(15);
        output[1].Skip(8).Take(4).Should().NotBeEquivalentTo(new float[4], "the unknown item's group vector is appended");
        loaded.Settings.ItemVector.Should().Be(IdItemVector.ItemAndAttributes);
    }

    private static void AssertScaled(float[] actual, float[] attribute, float weight)
    {
        actual.Should().HaveCount(attribute.Length);
        for (int d = 0; d < attribute.Length; d++)
        {
            actual[d].Should().BeApproximately(weight * attribute[d], 1e-6f, $"component {d} is w_ik e_ik");
        }
    }

    [Fact]
    public void AModelFileWhosePartsDisagree_IsRejectedNamingTheFileOnce()
    {
        using var model = Fit();
        var input = _mlContext.Data.LoadFromEnumerable(IdTestData.Items());
        string fewerItems = Path.Combine(_directory, "fewer-items.zip");
        _mlContext.Model.SaveWithTensors(model, input.Schema, fewerItems);
        ModelFileSurgery.RewriteText(fewerItems, "items.json", items => System.Text.Json.JsonSerializer.Serialize(System.Text.Json.JsonSerializer.Deserialize<string[]>(items)!.Take(3)));
        string otherDimension = Path.Combine(_directory, "other-dimension.zip");
        _mlContext.Model.SaveWithTensors(model, input.Schema, otherDimension);
        ModelFileSurgery.RewriteText(otherDimension, "settings.json", settings => System.Text.RegularExpressions.Regex.Replace(settings, "\"ItemDimension\": \\d+", "\"ItemDimension\": 3"));

        foreach (var (path, expected) in new[] { (fewerItems, "*settings.json declares*trained items*items.json lists 3*"), (otherDimension, "*tables.safetensors*item_embedding: the stored tensor has [24, 8], the module has [24, 3]*") })
        {
            var load = () => _mlContext.Model.LoadWithTensors(path, out _);
            var message = load.Should().Throw<InvalidDataException>().WithMessage(expected).Which.Message;
            System.Text.RegularExpressions.Regex.Matches(message, "Model file").Should().HaveCount(1, message);
        }
    }

    [Fact]
    public void TheModelFile_ReloadsIdentically_InThisProcessAndAFreshOne()
    {
        using var model = Fit();
        var input = _mlContext.Data.LoadFromEnumerable(IdTestData.Items().Append(new IdTestData.ItemRow { ItemId = "new", Group = "G1", Brand = "odd" }).ToList());
        string path = Path.Combine(_directory, "ids.zip");
        _mlContext.Model.SaveWithTensors(model, input.Schema, path);

        var expected = model.Transform(input).GetColumn<float[]>("ItemEmbedding").ToArray();
        var loaded = (IdEmbeddingTransformer)new MLContext().Model.LoadWithTensors(path, out _);
        loaded.Transform(input).GetColumn<float[]>("ItemEmbedding").Should().BeEquivalentTo(expected, o => o.WithStrictOrdering());
        loaded.MostSimilar(IdTestData.Item(1, 1), 5).Should().Equal(model.MostSimilar(IdTestData.Item(1, 1), 5));
        var history = new[] { IdTestData.Item(2, 1), IdTestData.ColdItem };
        loaded.Recommend(history, 5, score: IdRecommendationScore.NextItem).Should().Equal(model.Recommend(history, 5, score: IdRecommendationScore.NextItem));
        loaded.Items.Should().Equal(model.Items);
        loaded.TrainingSummary.Should().Be(model.TrainingSummary);
        loaded.Settings.Should().Be(model.Settings);

        var fresh = ChildProcess.TransformInFreshProcess(_mlContext, path, input, _directory);
        fresh.GetColumn<float[]>("ItemEmbedding").Should().BeEquivalentTo(expected, o => o.WithStrictOrdering());
        loaded.Dispose();
    }

    [Fact]
    public void AnMLNetTrainer_LearnsFromItemEmbedding_InOnePipeline_ThatSavesAndLoads()
    {
        using var embedding = Fit(o => o.Epochs = 15);
        var rows = Enumerable.Range(0, 4).SelectMany(_ => IdTestData.Items().Where(i => i.ItemId != IdTestData.ColdItem))
            .Select(i => new LabelledItem { ItemId = i.ItemId, Label = i.Group is "G0" or "G1" }).ToList();
        var data = _mlContext.Data.LoadFromEnumerable(rows);
        // The embedding is fitted on interactions; the classifier on items, through the embedding's output.
        var classifier = _mlContext.Transforms.CopyColumns("Features", "ItemEmbedding")
            .Append(_mlContext.BinaryClassification.Trainers.FastTree(numberOfLeaves: 4, numberOfTrees: 20, minimumExampleCountPerLeaf: 2))
            .Fit(embedding.Transform(data));
        var model = embedding.Append(classifier);
        var metrics = _mlContext.BinaryClassification.Evaluate(model.Transform(data));
        metrics.Accuracy.Should().BeGreaterThan(0.9, "the embedding separates the groups");

        string path = Path.Combine(_directory, "pipeline.zip");
        _mlContext.Model.SaveWithTensors(model, data.Schema, path);
        var loaded = new MLContext().Model.LoadWithTensors(path, out _);
        loaded.Transform(data).GetColumn<float>("Score").Should().Equal(model.Transform(data).GetColumn<float>("Score"));
    }

    [Fact]
    public void Throughput_IsLoggedToMLContextLog_AndRecordedInTheSummary()
    {
        var messages = new List<string>();
        _mlContext.Log += (_, e) => { lock (messages) { messages.Add(e.RawMessage); } };
        using var model = Fit();
        messages.Should().Contain(m => m.Contains("pairs/s"));
        var summary = model.TrainingSummary!;
        summary.TrainingPairs.Should().BeGreaterThan(0);
        summary.PairsPerSecond.Should().BeApproximately(summary.TrainingPairs * summary.Epochs / summary.Seconds, 1e-6 * summary.PairsPerSecond);
    }

    [Fact]
    public void AValidationFraction_HoldsUsersOut_AndReportsTheirValidationLossEachEpoch()
    {
        var progress = new SynchronousProgress();
        using var model = Fit(o =>
        {
            o.ValidationFraction = 0.25;
            o.Progress = progress;
        });

        model.TrainingSummary!.Sequences.Should().Be(36, "a quarter of the 48 users' sequences are held out before the vocabulary is built");
        var losses = progress.Reports.Where(r => r.Kind == TrainingProgressKind.Validation).Select(r => r.Metrics[TrainingMetricNames.ValidationLoss]).ToList();
        losses.Should().HaveCount(3, "validation runs at the end of each of the 3 epochs");
        losses.Should().OnlyContain(loss => double.IsFinite(loss) && loss > 0);
        losses[^1].Should().BeLessThan(losses[0], "the held-out users buy within groups the vectors learn");
    }

    [Fact]
    public void AValidationFraction_HoldsOutWholeUsers_WithAllTheirSessions()
    {
        // 47 users with one session each, and one user with 30 sessions (a day apart, split by InactivityGap): 77 sequences.
        var rows = IdTestData.Interactions(users: 47);
        var start = new DateTime(2024, 2, 1);
        for (int session = 0; session < 30; session++)
        {
            for (int t = 0; t < 3; t++)
            {
                rows.Add(new IdTestData.Interaction { UserId = "big", ItemId = IdTestData.Item(session % IdTestData.Groups, t), Time = start.AddDays(2 * session).AddHours(t) });
            }
        }

        var options = IdTestData.Options(_mlContext);
        options.Epochs = 1;
        options.InactivityGap = TimeSpan.FromDays(1);
        options.ValidationFraction = 0.25;
        using var model = _mlContext.Transforms.IdEmbedding(options).Fit(_mlContext.Data.LoadFromEnumerable(rows));

        // 12 of the 48 users are held out: 12 one-session users (65 sequences left) or 11 and "big" (36 left). Holding out
        // a quarter of the sequences instead would leave 58, and split "big"'s sessions between training and validation.
        model.TrainingSummary!.Sequences.Should().BeOneOf(65, 36);

        // Rounding never empties a side: 5 % of 8 users (0.4) is still one user held out.
        options.InactivityGap = null;
        options.ValidationFraction = 0.05;
        using var fewUsers = _mlContext.Transforms.IdEmbedding(options).Fit(_mlContext.Data.LoadFromEnumerable(IdTestData.Interactions(users: 8)));
        fewUsers.TrainingSummary!.Sequences.Should().Be(7);
        var oneUser = () => _mlContext.Transforms.IdEmbedding(options).Fit(_mlContext.Data.LoadFromEnumerable(IdTestData.Interactions(users: 1)));
        oneUser.Should().Throw<InvalidOperationException>().WithMessage("IdEmbeddingOptions.ValidationFraction holds out whole users, but the interactions have 1 user*ValidationData*");
    }

    [Fact]
    public void EarlyStopping_OnValidationData_StopsBeforeTheLastEpoch_WhenTheValidationLossStopsFalling()
    {
        var validation = _mlContext.Data.LoadFromEnumerable(IdTestData.Interactions(users: 12, seed: 5));
        using var model = Fit(o =>
        {
            o.Epochs = 60;
            o.LearningRate = 0.2;
            o.ValidationData = validation;
            o.EarlyStoppingPatience = 1;
        });

        model.TrainingSummary!.Epochs.Should().BeLessThan(60, "a large learning rate over-fits the training users long before 60 epochs");
    }

    [Fact]
    public void ValidationData_WithoutATrainedItem_IsAnErrorNamingTheOption()
    {
        var strangers = IdTestData.Interactions(users: 4).Select(i => new IdTestData.Interaction { UserId = i.UserId, ItemId = "unknown-" + i.ItemId, Time = i.Time });
        var act = () => Fit(o => o.ValidationData = _mlContext.Data.LoadFromEnumerable(strangers));

        act.Should().Throw<InvalidOperationException>().WithMessage("IdEmbeddingOptions.ValidationData gives no validation pair*");
    }

    [Fact]
    public void KeyItemColumns_AsMadeByMapValueToKey_GiveTheVectorsOfTheirTextIds()
    {
        var text = _mlContext.Data.LoadFromEnumerable(IdTestData.Interactions());
        var toKeys = _mlContext.Transforms.Conversion.MapValueToKey(nameof(IdTestData.Interaction.ItemId)).Fit(text);
        var keyed = toKeys.Transform(text);
        var options = IdTestData.Options(_mlContext);
        options.Epochs = 3;
        var pipeline = _mlContext.Transforms.Conversion.MapValueToKey(nameof(IdTestData.Interaction.ItemId)).Append(_mlContext.Transforms.IdEmbedding(options));
        pipeline.GetOutputSchema(SchemaShapeColumns.ShapeOf(text.Schema)).Should().Contain(c => c.Name == "ItemEmbedding", "a key item column is a supported ID column");

        using var fromText = Fit();
        using var fromKeys = _mlContext.Transforms.IdEmbedding(options).Fit(keyed);
        var exported = new StringWriter();
        fromKeys.ExportWord2Vec(exported);
        var expected = new StringWriter();
        fromText.ExportWord2Vec(expected);
        exported.ToString().Should().Be(expected.ToString(), "a key stands for its text ID (its KeyValues annotation)");
        fromKeys.Transform(keyed).GetColumn<float[]>("ItemEmbedding").SelectMany(v => v)
            .Should().Equal(fromText.Transform(text).GetColumn<float[]>("ItemEmbedding").SelectMany(v => v));
    }

    private sealed class LabelledItem
    {
        public string ItemId { get; set; } = string.Empty;
        public bool Label { get; set; }
    }
}
