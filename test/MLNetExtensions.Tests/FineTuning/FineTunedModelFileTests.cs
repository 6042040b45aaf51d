using System.IO.Compression;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExtensions.Estimators.FineTuning;
using MLNetExtensions.Estimators.Training;
using MLNetExtensions.Tests.TestSupport;
using MLNetExtensions.Transforms.Classification;
using MLNetExtensions.Transforms.ModelFiles;

namespace MLNetExtensions.Tests.FineTuning;

/// <summary>Fine-tuned classifiers in model files: one file, loaded in a fresh process, gives identical outputs.</summary>
[Collection(TorchGlobalStateCollection.Name)]
public sealed class FineTunedModelFileTests : IDisposable
{
    private readonly FineTuningTestData _data = new();
    private readonly MLContext _mlContext = new(seed: 8);

    [Fact]
    public void APipelineWithBothClassifiers_LoadsInAFreshProcess_WithIdenticalOutputs()
    {
        var data = _mlContext.Data.LoadFromEnumerable(FineTuningTestData.Reviews(48, seed: 1));
        var topicOptions = _data.Options(epochs: 2);
        topicOptions.LabelColumnName = "TopicKey";
        topicOptions.ScoreColumnName = "TopicScore";
        topicOptions.PredictedLabelColumnName = "PredictedTopicKey";
        var pipeline = _mlContext.Transforms.Conversion.MapValueToKey("TopicKey", "Topic")
            .Append(_mlContext.MulticlassClassification.Trainers.BertClassifier(topicOptions))
            .Append(_mlContext.Transforms.Conversion.MapKeyToValue("PredictedTopic", "PredictedTopicKey"))
            .Append(_mlContext.BinaryClassification.Trainers.BertClassifier(_data.Options(epochs: 2)));
        var model = pipeline.Fit(data);
        string path = Path.Combine(_data.Directory, "classifiers.zip");
        _mlContext.Model.SaveWithTensors(model, data.Schema, path);

        var expected = model.Transform(data);
        var actual = ChildProcess.TransformInFreshProcess(_mlContext, path, data, _data.Directory);
        actual.GetColumn<float>("Score").Should().Equal(expected.GetColumn<float>("Score"));
        actual.GetColumn<float>("Probability").Should().Equal(expected.GetColumn<float>("Probability"));
        actual.GetColumn<bool>("PredictedLabel").Should().Equal(expected.GetColumn<bool>("PredictedLabel"));
        actual.GetColumn<float[]>("TopicScore").Should().BeEquivalentTo(expected.GetColumn<float[]>("TopicScore"), o => o.WithStrictOrdering());
        actual.GetColumn<uint>("PredictedTopicKey").Should().Equal(expected.GetColumn<uint>("PredictedTopicKey"));
        actual.GetColumn<string>("PredictedTopic").Should().Equal(expected.GetColumn<string>("PredictedTopic"));
        foreach (var transformer in model.OfType<IDisposable>())
        {
            transformer.Dispose();
        }
    }

    [Fact]
    public void TheFileHoldsHuggingFaceTensorNames_AndLoadsWithSettingsAndClassNames()
    {
        var data = _mlContext.Transforms.Conversion.MapValueToKey("Label")
            .Fit(_mlContext.Data.LoadFromEnumerable(FineTuningTestData.Topics(32, seed: 2)))
            .Transform(_mlContext.Data.LoadFromEnumerable(FineTuningTestData.Topics(32, seed: 2)));
        var options = _data.Options(epochs: 1);
        options.SecondTextColumnName = null;
        using var model = _mlContext.MulticlassClassification.Trainers.BertClassifier(options).Fit(data);
        string path = Path.Combine(_data.Directory, "multiclass.zip");
        _mlContext.Model.SaveWithTensors(model, data.Schema, path);

        using (var zip = ZipFile.OpenRead(path))
        {
            zip.Entries.Select(e => e.FullName).Should().Contain(new[]
            {
                "MLNetExtensions/000/config.json", "MLNetExtensions/000/settings.json", "MLNetExtensions/000/tokenizer.json",
                "MLNetExtensions/000/vocab.txt", "MLNetExtensions/000/model.safetensors",
            });
            using var manifest = new StreamReader(zip.GetEntry("MLNetExtensions/manifest.json")!.Open());
            manifest.ReadToEnd().Should().Contain("BertMulticlassClassifier");
        }

        var names = MLNetExtensions.Transforms.ModelTensorIO.GetNamedTensors(model.Model).Select(t => t.Name).ToList();
        names.Should().Contain(new[] { "bert.embeddings.word_embeddings.weight", "bert.pooler.dense.weight", "classifier.weight", "classifier.bias" });

        var loaded = (BertMulticlassClassificationTransformer)_mlContext.Model.LoadWithTensors(path, out var schema);
        using (loaded)
        {
            loaded.Settings.Should().BeEquivalentTo(model.Settings);
            loaded.GetTrainingResult().Should().BeEquivalentTo(model.GetTrainingResult(), "the training result travels in the model file");
            loaded.GetTrainingResult()!.Steps.Should().BeGreaterThan(0);
            loaded.Settings.ClassNames.Should().Equal(FineTuningTestData.TopicNames);
            var output = loaded.Transform(data);
            VBuffer<ReadOnlyMemory<char>> keyValues = default;
            output.Schema["PredictedLabel"].GetKeyValues(ref keyValues);
            keyValues.DenseValues().Select(v => v.ToString()).Should().Equal(FineTuningTestData.TopicNames);
            output.GetColumn<float[]>("Score").Should().BeEquivalentTo(model.Transform(data).GetColumn<float[]>("Score"), o => o.WithStrictOrdering());
        }
    }

    public void Dispose() => _data.Dispose();
}
