using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExtensions.Estimators.FineTuning;
using MLNetExtensions.Transforms.Bert;
using MLNetExtensions.Transforms.DataView;
using MLNetExtensions.Transforms.Classification;
using MLNetExtensions.Transforms.Text;
using TorchSharp;

namespace MLNetExtensions.Tests.FineTuning;

/// <summary>Bad options and bad data give exceptions that name the option or the column and what was expected.</summary>
public sealed class BadInputTests : IDisposable
{
    private readonly FineTuningTestData _data = new();
    private readonly MLContext _mlContext = new(seed: 9);

    public static TheoryData<string, Action<BertClassificationOptions>> BadOptions => new()
    {
        { "BatchSize", o => o.BatchSize = 0 },
        { "Epochs", o => o.Epochs = 0 },
        { "MaxSteps", o => o.MaxSteps = 0 },
        { "LearningRate", o => o.LearningRate = 0 },
        { "WeightDecay", o => o.WeightDecay = -1 },
        { "WarmupFraction", o => o.WarmupFraction = 1 },
        { "ClassifierDropout", o => o.ClassifierDropout = 1 },
        { "Pooling", o => o.Pooling = (MLNetExtensions.Transforms.Bert.BertPooling)7 },
        { "MaxGradientNorm", o => o.MaxGradientNorm = double.NaN },
        { "NumberOfThreads", o => o.NumberOfThreads = 0 },
        { "ValidationFraction", o => o.ValidationFraction = 1 },
        { "EarlyStoppingPatience", o => o.EarlyStoppingPatience = 0 },
        { "ValidateEveryNSteps", o => o.ValidateEveryNSteps = 0 },
        { "MaximumLength", o => o.MaximumLength = 1 },
        { "TextColumnName", o => o.TextColumnName = " " },
        { "LabelColumnName", o => o.LabelColumnName = string.Empty },
        { "ScoreColumnName", o => o.ScoreColumnName = string.Empty },
        { "SecondTextColumnName", o => o.SecondTextColumnName = string.Empty },
        { "Config", o => o.Config = null },
        { "VocabularyPath", o => o.VocabularyPath = null },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void ABadOption_IsNamed(string option, Action<BertClassificationOptions> spoil)
    {
        var options = _data.Options();
        spoil(options);
        var act = () => _mlContext.BinaryClassification.Trainers.BertClassifier(options);
        act.Should().Throw<ArgumentException>().Where(e => e.ParamName == option && e.Message.Contains(option));
    }

    [Fact]
    public void ValidationDataAndFractionTogether_AreRejected()
    {
        var options = _data.Options();
        options.ValidationFraction = 0.2;
        options.ValidationData = Sentiment(4);
        var act = () => new BertBinaryClassificationTrainer(_mlContext, options);
        act.Should().Throw<ArgumentException>().Where(e => e.ParamName == "ValidationFraction").WithMessage("*ValidationData*ValidationFraction*");
    }

    [Fact]
    public void AMissingVocabularyFile_IsNamed()
    {
        var options = _data.Options();
        options.VocabularyPath = Path.Combine(_data.Directory, "missing.txt");
        var act = () => new BertBinaryClassificationTrainer(_mlContext, options);
        act.Should().Throw<FileNotFoundException>().WithMessage("*VocabularyPath*missing.txt*");
    }

    [Fact]
    public void AMissingTextColumn_IsNamedWithItsType()
    {
        var data = _mlContext.Data.LoadFromEnumerable(new[] { new { Review = "good", Label = true } });
        var act = () => _mlContext.BinaryClassification.Trainers.BertClassifier(_data.Options()).Fit(data);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*Column 'Text' of type String (text) was not found in the training data*'Review'*");
    }

    [Fact]
    public void ABinaryLabelThatIsNotBoolean_IsNamedWithTheExpectedType()
    {
        var data = _mlContext.Data.LoadFromEnumerable(new[] { new { Text = "good", Label = 1f } });
        var act = () => _mlContext.BinaryClassification.Trainers.BertClassifier(_data.Options()).Fit(data);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*Column 'Label'*has type Single, but Boolean is expected*");
    }

    [Fact]
    public void AMulticlassLabelThatIsNotAKey_IsNamedWithTheExpectedType()
    {
        var data = _mlContext.Data.LoadFromEnumerable(FineTuningTestData.Topics(6, seed: 1));
        var act = () => _mlContext.MulticlassClassification.Trainers.BertClassifier(_data.Options()).Fit(data);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*Column 'Label'*has type String, but Key<UInt32> (as made by MapValueToKey) is expected*");

        var shape = () => _mlContext.MulticlassClassification.Trainers.BertClassifier(_data.Options()).GetOutputSchema(SchemaShapeColumns.ShapeOf(data.Schema));
        shape.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*Label column 'Label' is String, but Key<UInt32>*");
    }

    [Fact]
    public void AKeyLabelWithOneValue_IsRejected()
    {
        var data = _mlContext.Transforms.Conversion.MapValueToKey("Label").Fit(Topics("food", "food")).Transform(Topics("food", "food"));
        var act = () => _mlContext.MulticlassClassification.Trainers.BertClassifier(_data.Options()).Fit(data);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*'Label' is a key type with 1 value(s)*at least 2 classes*");
    }

    [Fact]
    public void TrainingLabelsOfOneClass_AreRejected()
    {
        var binary = () => _mlContext.BinaryClassification.Trainers.BertClassifier(_data.Options()).Fit(
            _mlContext.Data.LoadFromEnumerable(new[] { new SentimentRow { Text = "good", Label = true }, new SentimentRow { Text = "nice", Label = true } }));
        binary.Should().Throw<ArgumentException>().WithMessage("*'Label' holds only one class (true) in all 2 training rows*at least two classes*");

        var keys = _mlContext.Transforms.Conversion.MapValueToKey("Label").Fit(Topics("food", "tech"));
        var multiclass = () => _mlContext.MulticlassClassification.Trainers.BertClassifier(_data.Options()).Fit(keys.Transform(Topics("tech", "tech", "tech")));
        multiclass.Should().Throw<ArgumentException>().WithMessage("*only one class ('tech') in all 3 training rows*");
    }

    [Fact]
    public void ValidationLabelsWithAnotherKeyCount_AreRejected()
    {
        var train = _mlContext.Transforms.Conversion.MapValueToKey("Label").Fit(Topics("food", "tech", "sports")).Transform(Topics("food", "tech", "sports"));
        var validation = _mlContext.Transforms.Conversion.MapValueToKey("Label").Fit(Topics("food", "tech")).Transform(Topics("food", "tech"));
        var options = _data.Options();
        options.ValidationData = validation;
        var act = () => _mlContext.MulticlassClassification.Trainers.BertClassifier(options).Fit(train);
        act.Should().Throw<ArgumentException>().Where(e => e.ParamName == "ValidationData").WithMessage("*3 classes in the training data but 2 in the validation data*");
    }

    [Fact]
    public void EmptyTrainingData_IsRejected()
    {
        var act = () => _mlContext.BinaryClassification.Trainers.BertClassifier(_data.Options()).Fit(Sentiment(0));
        act.Should().Throw<InvalidOperationException>().WithMessage("*training data is empty*");
    }

    [Fact]
    public void TheEstimatorsSchema_ChecksColumns_AndPromisesTheOutputs()
    {
        var trainer = _mlContext.BinaryClassification.Trainers.BertClassifier(_data.Options());
        var shape = trainer.GetOutputSchema(SchemaShapeColumns.ShapeOf(Sentiment(2).Schema));
        shape.Select(c => c.Name).Should().Contain(new[] { "Score", "Probability", "PredictedLabel" });
        shape.Single(c => c.Name == "PredictedLabel").ItemType.Should().Be(BooleanDataViewType.Instance);

        var noLabel = () => trainer.GetOutputSchema(SchemaShapeColumns.ShapeOf(_mlContext.Data.LoadFromEnumerable(new[] { new TextOnlyRow() }).Schema));
        noLabel.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*Label column 'Label' of type Boolean was not found*");
        var noText = () => trainer.GetOutputSchema(SchemaShapeColumns.ShapeOf(_mlContext.Data.LoadFromEnumerable(new[] { new { Label = true } }).Schema));
        noText.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*Input column 'Text' (TextColumnName) was not found; expected a text column*");
    }

    [Fact]
    public void TheTransformer_NamesAMissingOrMistypedTextColumn()
    {
        using var generator = new torch.Generator(1);
        var settings = new BertClassificationSettings { TextColumnName = "Text", MaximumLength = 16, NumberOfClasses = 2 };
        using var model = new BertBinaryClassificationTransformer(
            new BertForSequenceClassification(FineTuningTestData.Config(), 2, generator), WordPieceEncoder.FromFile(_data.VocabularyPath), settings);

        var missing = () => model.Transform(_mlContext.Data.LoadFromEnumerable(new[] { new { Review = "good" } }));
        missing.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*'Text' (TextColumnName) was not found; expected a text column*");
        var mistyped = () => model.GetOutputSchema(_mlContext.Data.LoadFromEnumerable(new[] { new { Text = 1f } }).Schema);
        mistyped.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*'Text' (TextColumnName) must be text (String), but it is Single*");
        var wrongClasses = () => new BertBinaryClassificationTransformer(
            new BertForSequenceClassification(FineTuningTestData.Config(), 3, generator), WordPieceEncoder.FromFile(_data.VocabularyPath), settings);
        wrongClasses.Should().Throw<ArgumentException>().WithMessage("*3 outputs*2 classes*");
    }

    public void Dispose() => _data.Dispose();

    private IDataView Sentiment(int count) => _mlContext.Data.LoadFromEnumerable(FineTuningTestData.Sentiment(count, seed: 1));

    private IDataView Topics(params string[] labels) =>
        _mlContext.Data.LoadFromEnumerable(labels.Select(label => new TopicRow { Text = "the " + label, Label = label }).ToArray());
}
