using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExtensions.Estimators.FineTuning;
using MLNetExtensions.Estimators.Training;
using MLNetExtensions.Tests.TestSupport;
using MLNetExtensions.Transforms.DataView;
using MLNetExtensions.Transforms.Classification;

namespace MLNetExtensions.Tests.FineTuning;

/// <summary>Multiclass fine-tuning with ML.NET's key-label conventions.</summary>
[Collection(TorchGlobalStateCollection.Name)]
public sealed class MulticlassFineTuningTests : IDisposable
{
    private readonly FineTuningTestData _data = new();
    private readonly MLContext _mlContext = new(seed: 6);

    [Fact]
    public void NumericClassLabels_GiveTheirOwnTypeBackThroughMapKeyToValue_InTheSchemaShape()
    {
        var rows = FineTuningTestData.Topics(12, seed: 1).Select(r => new CodedTopicRow { Text = r.Text, Label = Array.IndexOf(FineTuningTestData.TopicNames, r.Label) + 100 });
        var data = _mlContext.Data.LoadFromEnumerable(rows.ToList());
        var pipeline = _mlContext.Transforms.Conversion.MapValueToKey("Label")
            .Append(_mlContext.MulticlassClassification.Trainers.BertClassifier(Options()))
            .Append(_mlContext.Transforms.Conversion.MapKeyToValue("PredictedCode", "PredictedLabel"));

        pipeline.GetOutputSchema(SchemaShapeColumns.ShapeOf(data.Schema)).Single(c => c.Name == "PredictedCode").ItemType.Should().Be(NumberDataViewType.Int32);
    }

    [Fact]
    public void LearnsTopics_InAMapValueToKeyPipeline_ThroughMulticlassEvaluate()
    {
        var train = _mlContext.Data.LoadFromEnumerable(FineTuningTestData.Topics(192, seed: 1));
        var test = _mlContext.Data.LoadFromEnumerable(FineTuningTestData.Topics(90, seed: 2));
        var pipeline = _mlContext.Transforms.Conversion.MapValueToKey("Label")
            .Append(_mlContext.MulticlassClassification.Trainers.BertClassifier(Options()))
            .Append(_mlContext.Transforms.Conversion.MapKeyToValue("PredictedTopic", "PredictedLabel"));
        var shape = pipeline.GetOutputSchema(SchemaShapeColumns.ShapeOf(train.Schema));
        shape.Single(c => c.Name == "PredictedTopic").ItemType.Should().Be(TextDataViewType.Instance);

        var model = pipeline.Fit(train);
        var predictions = model.Transform(test);
        var metrics = _mlContext.MulticlassClassification.Evaluate(predictions);
        metrics.MacroAccuracy.Should().BeGreaterThan(0.95);
        metrics.LogLoss.Should().BeLessThan(0.3);

        predictions.Schema["PredictedLabel"].Type.Should().Be(new KeyDataViewType(typeof(uint), 3));
        predictions.Schema["Score"].Type.Should().Be(new VectorDataViewType(NumberDataViewType.Single, 3));
        VBuffer<ReadOnlyMemory<char>> slotNames = default;
        predictions.Schema["Score"].GetSlotNames(ref slotNames);
        slotNames.DenseValues().Select(name => name.ToString()).Should().Equal(FineTuningTestData.TopicNames);
        foreach (var score in predictions.GetColumn<float[]>("Score"))
        {
            score.Sum().Should().BeApproximately(1f, 1e-5f);
        }

        var truth = test.GetColumn<string>("Label").ToArray();
        var predicted = predictions.GetColumn<string>("PredictedTopic").ToArray();
        predicted.Zip(truth).Count(pair => pair.First == pair.Second).Should().BeGreaterThan(85);
        ((IDisposable)model.OfType<BertMulticlassClassificationTransformer>().Single()).Dispose();
    }

    [Fact]
    public void RowsWithAMissingKey_AreSkippedInTrainingAndValidation_AndPredictionEngineMatchesTransform()
    {
        var rows = FineTuningTestData.Topics(60, seed: 3).Concat(Enumerable.Range(0, 20).Select(i => new TopicRow { Text = "the film", Label = "unknown" })).ToArray();
        var data = _mlContext.Data.LoadFromEnumerable(rows);
        var keys = _mlContext.Data.LoadFromEnumerable(FineTuningTestData.TopicNames.Select(name => new LabelOnlyRow { Label = name }));
        var keyed = _mlContext.Transforms.Conversion.MapValueToKey("Label", keyData: keys).Fit(data).Transform(data);
        var options = Options(epochs: 1);
        options.ValidationData = keyed;
        var trainer = _mlContext.MulticlassClassification.Trainers.BertClassifier(options);
        using var model = trainer.Fit(keyed);
        model.GetTrainingResult()!.LastValidationMetrics.Should().ContainKey("ValidationLoss", "validation rows with a missing key are skipped too");

        model.GetTrainingResult()!.Steps.Should().Be(4, "60 labelled rows in batches of 16; the 20 rows whose label is not a key are skipped");
        model.NumberOfClasses.Should().Be(3);
        var batched = model.Transform(keyed);
        var scores = batched.GetColumn<float[]>("Score").ToArray();
        var labels = batched.GetColumn<uint>("PredictedLabel").ToArray();
        var engine = _mlContext.Model.CreatePredictionEngine<TextOnlyRow, MulticlassPrediction>(model);
        for (int i = 0; i < rows.Length; i += 7)
        {
            var prediction = engine.Predict(new TextOnlyRow { Text = rows[i].Text });
            prediction.Score.Should().Equal(scores[i]);
            prediction.PredictedLabel.Should().Be(labels[i]);
        }
    }

    public void Dispose() => _data.Dispose();

    /// <summary>
    /// Hidden 64: with three classes, [CLS] pooling and random initialisation, 32 wide models stall in a plateau that
    /// merges two classes for some seeds (measured: 1 to 5 seeds of 8, depending on the settings); 64 wide learned for all 12 seeds tried.
    /// </summary>
    private BertClassificationOptions Options(int epochs = 10)
    {
        var options = _data.Options(epochs);
        options.Config = FineTuningTestData.Config() with { HiddenSize = 64, IntermediateSize = 128 };
        return options;
    }

    /// <summary>A label alone (key data of MapValueToKey).</summary>
    public sealed class LabelOnlyRow
    {
        public string Label { get; set; } = string.Empty;
    }

    /// <summary>The outputs of the multiclass classifier.</summary>
    public sealed class MulticlassPrediction
    {
        [KeyType(3)]
        public uint PredictedLabel { get; set; }

        [VectorType(3)]
        public float[] Score { get; set; } = Array.Empty<float>();
    }

    public sealed class CodedTopicRow
    {
        public string Text { get; set; } = string.Empty;

        public int Label { get; set; }
    }
}
