using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExtensions.Estimators.FineTuning;
using MLNetExtensions.Tests.FineTuning;
using MLNetExtensions.Tests.TestSupport;
using MLNetExtensions.Transforms.ModelFiles;

namespace MLNetExtensions.Tests.ModelFiles;

/// <summary>A transformer used after <c>Dispose</c> says so, instead of failing inside TorchSharp on freed tensors.</summary>
[Collection(TorchGlobalStateCollection.Name)]
public sealed class DisposedTransformerTests : IDisposable
{
    private readonly FineTuningTestData _data = new();
    private readonly MLContext _mlContext = new(seed: 6);

    [Fact]
    public void EveryUseAfterDispose_ThrowsObjectDisposedException_IncludingViewsAndEnginesMadeBefore()
    {
        var data = _mlContext.Data.LoadFromEnumerable(FineTuningTestData.Sentiment(16, seed: 1));
        var model = _mlContext.BinaryClassification.Trainers.BertClassifier(_data.Options(epochs: 1)).Fit(data);
        var viewMadeBefore = model.Transform(data);
        var engineMadeBefore = _mlContext.Model.CreatePredictionEngine<TextOnlyRow, BinaryPrediction>(model);
        engineMadeBefore.Predict(new TextOnlyRow { Text = "good movie" }).Score.Should().NotBe(float.NaN);

        model.Dispose();
        model.Dispose(); // a second call does nothing

        var uses = new (string What, Action Use)[]
        {
            ("Transform", () => model.Transform(data)),
            ("GetOutputSchema", () => model.GetOutputSchema(data.Schema)),
            ("a view made before", () => viewMadeBefore.GetColumn<float>("Score").ToList()),
            ("a prediction engine made before", () => engineMadeBefore.Predict(new TextOnlyRow { Text = "bad movie" })),
            ("a new prediction engine", () => _mlContext.Model.CreatePredictionEngine<TextOnlyRow, BinaryPrediction>(model)),
            ("SaveWithTensors", () => _mlContext.Model.SaveWithTensors(model, data.Schema, Path.Combine(_data.Directory, "disposed.zip"))),
        };
        foreach (var (what, use) in uses)
        {
            use.Should().Throw<Exception>().Where(e => ContainsObjectDisposed(e), $"{what} after Dispose must say the transformer is disposed");
        }

        File.Exists(Path.Combine(_data.Directory, "disposed.zip")).Should().BeFalse();
    }

    public void Dispose() => _data.Dispose();

    // ML.NET wraps some exceptions of the transformers it calls; the disposal must be the cause.
    private static bool ContainsObjectDisposed(Exception? exception) =>
        exception is not null && (exception is ObjectDisposedException || ContainsObjectDisposed(exception.InnerException));
}
