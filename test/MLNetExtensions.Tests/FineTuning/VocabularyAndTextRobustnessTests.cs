using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExtensions.Estimators.Data;
using MLNetExtensions.Estimators.FineTuning;
using MLNetExtensions.Tests.TestSupport;
using MLNetExtensions.Transforms.Bert;
using MLNetExtensions.Transforms.ModelFiles;
using MLNetExtensions.Transforms.Text;

namespace MLNetExtensions.Tests.FineTuning;

/// <summary>
/// Vocabularies and texts that used to stop training or load silently: a blank vocabulary line, a model file whose
/// vocabulary disagrees with its configuration, and a text with an unpaired UTF-16 surrogate.
/// </summary>
[Collection(TorchGlobalStateCollection.Name)]
public sealed class VocabularyAndTextRobustnessTests : IDisposable
{
    private readonly FineTuningTestData _data = new();
    private readonly MLContext _mlContext = new(seed: 3);

    [Fact]
    public void AVocabularyWithABlankLine_Trains_WithTheSizeTheEncoderReports()
    {
        // The blank line sits before the task's keywords, so their ids are one above their non-blank line count.
        var lines = FineTuningTestData.Vocabulary.ToList();
        lines.Insert(lines.IndexOf("good"), string.Empty);
        string path = Path.Combine(_data.Directory, "blank-line-vocab.txt");
        File.WriteAllLines(path, lines);
        var encoder = WordPieceEncoder.FromFile(path);
        encoder.VocabularySize.Should().Be(lines.Count);

        var options = _data.Options(epochs: 1);
        options.VocabularyPath = path;
        options.Config = options.Config! with { VocabSize = encoder.VocabularySize };
        var data = _mlContext.Data.LoadFromEnumerable(FineTuningTestData.Sentiment(32, seed: 1));
        using var model = _mlContext.BinaryClassification.Trainers.BertClassifier(options).Fit(data);

        model.Transform(data).GetColumn<float>("Score").Should().HaveCount(32).And.OnlyContain(score => float.IsFinite(score));
    }

    [Fact]
    public void AModelFileWhoseVocabularyIsShorterThanItsConfig_IsRefusedNamingBothNumbers()
    {
        var config = FineTuningTestData.Config() with { VocabSize = FineTuningTestData.Vocabulary.Count + 3 };
        using var encoder = _data.Encoder(seed: 1, config);
        var data = _mlContext.Data.LoadFromEnumerable(new[] { new TextRow { Text = "good" } });
        string path = Path.Combine(_data.Directory, "inconsistent.zip");
        _mlContext.Model.SaveWithTensors(encoder, data.Schema, path);

        var act = () => _mlContext.Model.LoadWithTensors(path, out _);
        act.Should().Throw<InvalidDataException>()
            .WithMessage($"*vocab.txt*has {FineTuningTestData.Vocabulary.Count} tokens but config.json declares vocab_size = {config.VocabSize}*");
    }

    [Fact]
    public void ATextWithAnUnpairedSurrogate_NeitherStopsFitNorTransform()
    {
        var rows = FineTuningTestData.Sentiment(32, seed: 4);
        rows[0].Text = "the film was good \uD83D and it was nice .";
        rows[1].Text = "\uDE00 the plot was bad";
        var data = _mlContext.Data.LoadFromEnumerable(rows);
        using var model = _mlContext.BinaryClassification.Trainers.BertClassifier(_data.Options(epochs: 1)).Fit(data);

        var scores = model.Transform(data).GetColumn<float>("Score").ToArray();
        scores.Should().HaveCount(32).And.OnlyContain(score => float.IsFinite(score));
        var clean = _mlContext.Data.LoadFromEnumerable(new[] { new TextRow { Text = "the film was good  and it was nice ." }, new TextRow { Text = " the plot was bad" } });
        model.Transform(clean).GetColumn<float>("Score").Should().Equal(scores.Take(2), "the invalid code unit is replaced by U+FFFD, which cleaning drops");
    }

    public void Dispose() => _data.Dispose();
}
