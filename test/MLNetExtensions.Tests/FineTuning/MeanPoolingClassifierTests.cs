using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExtensions.Estimators.FineTuning;
using MLNetExtensions.Tests.TestSupport;
using MLNetExtensions.Transforms;
using MLNetExtensions.Transforms.Bert;
using MLNetExtensions.Transforms.Classification;
using MLNetExtensions.Transforms.ModelFiles;
using static TorchSharp.torch;

namespace MLNetExtensions.Tests.FineTuning;

/// <summary>Classifiers whose head reads the mean of the final hidden states (<see cref="BertPooling.Mean"/>).</summary>
[Collection(TorchGlobalStateCollection.Name)]
public sealed class MeanPoolingClassifierTests : IDisposable
{
    private readonly FineTuningTestData _data = new();
    private readonly MLContext _mlContext = new(seed: 10);

    [Fact]
    public void TheHeadReadsTheMeanOverRealTokens_SoPaddingDoesNotChangeTheLogits()
    {
        using var scope = NewDisposeScope();
        using var model = new BertForSequenceClassification(FineTuningTestData.Config(), numLabels: 3, new TorchSharp.torch.Generator(3), BertPooling.Mean);
        model.eval();
        var ids = tensor(new long[] { 2, 7, 8, 9, 3 }).unsqueeze(0);
        var padded = tensor(new long[] { 2, 7, 8, 9, 3, 0, 0, 0 }).unsqueeze(0);
        var paddedMask = tensor(new long[] { 1, 1, 1, 1, 1, 0, 0, 0 }).unsqueeze(0);
        using var noGrad = no_grad();

        var logits = model.Forward(ids, ones_like(ids));
        var paddedLogits = model.Forward(padded, paddedMask);
        var hidden = model.Bert.Forward(ids).LastHiddenState;
        var expected = model.Classifier.forward(hidden.mean(new long[] { 1 }));

        paddedLogits.allclose(logits, rtol: 1e-4, atol: 1e-5).Should().BeTrue("padding is excluded from the mean");
        logits.allclose(expected, rtol: 1e-4, atol: 1e-5).Should().BeTrue("the head is the classifier on the mean hidden state");
        model.Bert.Pooler.Should().BeNull();
        ModelTensorIO.GetNamedTensors(model).Select(t => t.Name).Should().NotContain(name => name.StartsWith("bert.pooler", StringComparison.Ordinal))
            .And.Contain(new[] { "bert.embeddings.word_embeddings.weight", "classifier.weight", "classifier.bias" });
    }

    [Fact]
    public void MeanPoolingFineTunes_PredictsRowByRowAsInBatches_AndKeepsItsPoolingInTheModelFile()
    {
        var rows = FineTuningTestData.Sentiment(160, seed: 21);
        var data = _mlContext.Data.LoadFromEnumerable(rows);
        var options = _data.Options(epochs: 6);
        options.Pooling = BertPooling.Mean;
        using var model = _mlContext.BinaryClassification.Trainers.BertClassifier(options).Fit(data);

        var test = _mlContext.Data.LoadFromEnumerable(FineTuningTestData.Sentiment(80, seed: 22));
        _mlContext.BinaryClassification.Evaluate(model.Transform(test)).Accuracy.Should().BeGreaterThan(0.95);
        model.Settings.Pooling.Should().Be(BertPooling.Mean);
        model.Model.Bert.Pooler.Should().BeNull();

        model.InferenceBatchSize = 7;
        var scores = model.Transform(test).GetColumn<float>("Score").ToArray();
        var engine = _mlContext.Model.CreatePredictionEngine<TextOnlyRow, BinaryPrediction>(model);
        engine.Predict(new TextOnlyRow { Text = FineTuningTestData.Sentiment(80, seed: 22)[12].Text }).Score.Should().Be(scores[12]);

        string path = Path.Combine(_data.Directory, "mean-pooling.zip");
        _mlContext.Model.SaveWithTensors(model, data.Schema, path);
        var loaded = (BertBinaryClassificationTransformer)_mlContext.Model.LoadWithTensors(path, out _);
        using (loaded)
        {
            loaded.Settings.Pooling.Should().Be(BertPooling.Mean);
            loaded.Transform(test).GetColumn<float>("Score").Should().Equal(scores);
        }
    }

    [Fact]
    public void SettingsThatContradictTheModelsPooling_AreRefused()
    {
        var settings = new BertClassificationSettings { TextColumnName = "Text", MaximumLength = 16, NumberOfClasses = 2, Pooling = BertPooling.Mean };
        using var clsModel = new BertForSequenceClassification(FineTuningTestData.Config(), 2, new TorchSharp.torch.Generator(1));
        var encoder = MLNetExtensions.Transforms.Text.WordPieceEncoder.FromFile(_data.VocabularyPath, lowerCase: true, stripAccents: true);

        var act = () => new BertBinaryClassificationTransformer(clsModel, encoder, settings);

        act.Should().Throw<ArgumentException>().WithMessage("*pools with Cls*settings declare Mean*");
    }

    public void Dispose() => _data.Dispose();
}
