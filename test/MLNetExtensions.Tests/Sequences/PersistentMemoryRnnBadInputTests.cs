using Microsoft.ML;
using MLNetExtensions.Estimators.Data;
using Microsoft.ML.Data;
using MLNetExtensions.Estimators.Sequences;
using MLNetExtensions.Estimators.Training;
using MLNetExtensions.Tests.TestSupport;
using MLNetExtensions.Tests.Training.Support;
using MLNetExtensions.Transforms.DataView;

namespace MLNetExtensions.Tests.Sequences;

/// <summary>Bad sequences, labels and options give exceptions naming the column or option.</summary>
[Collection(TorchGlobalStateCollection.Name)]
public sealed class PersistentMemoryRnnBadInputTests
{
    private readonly MLContext _mlContext = new(seed: 1);

    [Fact]
    public void AVectorThatIsNotAWholeNumberOfSteps_IsRejectedInTrainingAndInference()
    {
        var fit = () => Train(Rows(new[] { 1f, 2f, 3f }));
        fit.Should().Throw<InvalidOperationException>().WithMessage("*Column 'Features'*3 values*not a whole number of steps of StepSize = 2*");

        using var model = Train(Rows(new[] { 1f, 2f }));
        var transform = () => model.Transform(Keyed(Rows(new[] { 1f, 2f, 3f }))).GetColumn<float[]>("Score").ToList();
        transform.Should().Throw<InvalidOperationException>().WithMessage("*Column 'Features'*not a whole number of steps*");
    }

    [Fact]
    public void AnEmptySequence_IsRejected()
    {
        var fit = () => Train(Rows(Array.Empty<float>()));
        fit.Should().Throw<InvalidOperationException>().WithMessage("*Column 'Features' holds an empty sequence*");
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void NonFiniteValues_AreRejectedNamingTheStepAndFeature(float bad)
    {
        var fit = () => Train(Rows(new[] { 1f, 2f, 3f, bad }));
        fit.Should().Throw<InvalidOperationException>().WithMessage("*Column 'Features' holds*at step 1, feature 1*finite numbers*");
    }

    [Fact]
    public void ALabelThatIsNotAKey_OrValidationKeysOfAnotherRange_AreRejectedNamingTheColumn()
    {
        var rows = new[]
        {
            new NumberRow { Label = 1, Features = new[] { 1f, 2f } },
            new NumberRow { Label = 2, Features = new[] { 1f, 2f } },
        };
        var numbers = () => _mlContext.MulticlassClassification.Trainers.PersistentMemoryRnn(Tiny()).Fit(_mlContext.Data.LoadFromEnumerable(rows));
        numbers.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*Column 'Label'*has type UInt32, but Key<UInt32> (as made by MapValueToKey) is expected*");

        var options = Tiny();
        options.ValidationData = Keyed("abc".Select(c => new SequenceRow { Label = c.ToString(), Features = new[] { 1f, 2f } }));
        var validation = () => _mlContext.MulticlassClassification.Trainers.PersistentMemoryRnn(options).Fit(Keyed(Rows(new[] { 1f, 2f })));
        validation.Should().Throw<ArgumentException>().Where(e => e.ParamName == "ValidationData").WithMessage("*2 classes in the training data but 3 in the validation data*");

        // The same two classes, numbered in the other order by a MapValueToKey of their own.
        var permuted = Tiny();
        permuted.ValidationData = Keyed("ba".Select(c => new SequenceRow { Label = c.ToString(), Features = new[] { 1f, 2f } }));
        var order = () => _mlContext.MulticlassClassification.Trainers.PersistentMemoryRnn(permuted).Fit(Keyed(Rows(new[] { 1f, 2f })));
        order.Should().Throw<ArgumentException>().Where(e => e.ParamName == "ValidationData").WithMessage("*numbers its classes differently*(b, a)*(a, b)*");
    }

    [Fact]
    public void BadOptionsAndColumns_NameTheOptionOrColumn()
    {
        var noSlots = Tiny();
        noSlots.MemorySlots = 0;
        var slots = () => _mlContext.MulticlassClassification.Trainers.PersistentMemoryRnn(noSlots);
        slots.Should().Throw<ArgumentOutOfRangeException>().Where(e => e.ParamName == "MemorySlots").WithMessage("*MemorySlots must be ≥ 1, but was 0*");

        var lstm = Tiny();
        lstm.CellKind = Transforms.Sequences.RnnCellKind.Lstm;
        lstm.AddressingColumnName = "Addressing";
        var addressing = () => _mlContext.MulticlassClassification.Trainers.PersistentMemoryRnn(lstm);
        addressing.Should().Throw<ArgumentException>().Where(e => e.ParamName == "AddressingColumnName").WithMessage("*Lstm cell has no memory*");

        var readsHidden = Tiny();
        readsHidden.CellKind = Transforms.Sequences.RnnCellKind.Lstm;
        readsHidden.EncoderReadsHiddenState = true;
        var reads = () => _mlContext.MulticlassClassification.Trainers.PersistentMemoryRnn(readsHidden);
        reads.Should().Throw<ArgumentException>().Where(e => e.ParamName == "EncoderReadsHiddenState").WithMessage("*Lstm cell has no memory*");

        var fewSteps = Tiny();
        fewSteps.MemoryInitialization = MemoryInitialization.KMeans;
        fewSteps.KMeansSampleSteps = fewSteps.MemorySlots - 1;
        var sample = () => _mlContext.MulticlassClassification.Trainers.PersistentMemoryRnn(fewSteps);
        sample.Should().Throw<ArgumentOutOfRangeException>().Where(e => e.ParamName == "KMeansSampleSteps").WithMessage("*at least MemorySlots = 3*");

        var prototypes = Tiny();
        prototypes.MemoryInitialization = MemoryInitialization.Prototypes;
        prototypes.MemoryPrototypes = new[] { new[] { 1f, 2f } };
        var proto = () => _mlContext.MulticlassClassification.Trainers.PersistentMemoryRnn(prototypes);
        proto.Should().Throw<ArgumentException>().Where(e => e.ParamName == "MemoryPrototypes").WithMessage("*MemorySlots = 3 steps*holds 1*");

        var text = _mlContext.Data.LoadFromEnumerable(new[] { new TextRow { Label = 1f, Features = "x" } });
        var wrongType = () => _mlContext.Regression.Trainers.PersistentMemoryRnn(Tiny()).Fit(text);
        wrongType.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*'Features' (FeatureColumnName) must be a vector of Single*");

        var fixedSize = _mlContext.Data.LoadFromEnumerable(new[] { new FixedRow { Label = 1f, Features = new float[3] } });
        var wrongSize = () => _mlContext.Regression.Trainers.PersistentMemoryRnn(Tiny()).Fit(fixedSize);
        wrongSize.Should().Throw<ArgumentOutOfRangeException>().Where(e => e.ParamName == "StepSize").WithMessage("*fixed size of 3 values*StepSize = 2*");

        var noLabel = () => _mlContext.Regression.Trainers.PersistentMemoryRnn(Tiny()).GetOutputSchema(SchemaShapeColumns.ShapeOf(Keyed(Rows(new[] { 1f, 2f })).Schema));
        noLabel.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*Label column 'Label' must be a Single, but it is*");
    }

    [Fact]
    public void ASharpnessOutsideItsRange_IsRefusedByTheOptions_NotAsANaNLossAfterTraining()
    {
        foreach (double sharpness in new[] { 1e39, 1e7, 1e-7 })
        {
            var options = Tiny();
            options.Sharpness = sharpness;
            var create = () => _mlContext.Regression.Trainers.PersistentMemoryRnn(options);
            create.Should().Throw<ArgumentOutOfRangeException>().Where(e => e.ParamName == "Sharpness")
                .WithMessage("PersistentMemoryRnnOptions.Sharpness must be in [1E-6, 1E+6], but was *", $"γ = {sharpness}");
        }

        var config = () => new Transforms.Sequences.PersistentMemoryRnn(Tiny().ToConfig(outputs: 1) with { Sharpness = 1e39 });
        config.Should().Throw<ArgumentOutOfRangeException>().Where(e => e.ParamName == "Sharpness");
        // A model (as a model file rebuilds it) takes any value float32 holds: files saved before the options' range keep loading.
        using (new Transforms.Sequences.PersistentMemoryRnn(Tiny().ToConfig(outputs: 1) with { Sharpness = 2e6 }))
        {
        }

        // The bounds themselves train to a finite loss.
        foreach (double sharpness in new[] { Transforms.Sequences.PersistentMemoryRnnConfig.MinSharpness, Transforms.Sequences.PersistentMemoryRnnConfig.MaxSharpness })
        {
            var options = Tiny();
            options.Sharpness = sharpness;
            using var model = _mlContext.Regression.Trainers.PersistentMemoryRnn(options).Fit(_mlContext.Data.LoadFromEnumerable(SequenceTestData.Values(8, seed: 1)));
            double.IsFinite(model.GetTrainingResult()!.FinalLoss).Should().BeTrue($"γ = {sharpness} stays in float32's range");
        }
    }

    [Fact]
    public void AValidationFractionThatHoldsOutNoRow_IsRefusedBeforeTraining_NamingTheOption()
    {
        var progress = new SynchronousProgress();
        var regression = Tiny();
        regression.ValidationFraction = 0.05;
        regression.Progress = progress;
        var values = _mlContext.Data.LoadFromEnumerable(SequenceTestData.Values(5, seed: 1));
        var fitRegression = () => _mlContext.Regression.Trainers.PersistentMemoryRnn(regression).Fit(values);
        fitRegression.Should().Throw<InvalidOperationException>()
            .WithMessage("PersistentMemoryRnnOptions.ValidationFraction = 0.05 holds out none of the 5 training rows with a label*ValidationData*");
        progress.Reports.Should().BeEmpty("nothing is trained before the validation rows are checked");

        // Classification prepares its rows in the code the BERT classifiers share.
        var classification = Tiny();
        classification.ValidationFraction = 0.05;
        classification.Progress = progress;
        var fitClassifier = () => _mlContext.MulticlassClassification.Trainers.PersistentMemoryRnn(classification).Fit(Keyed(Rows(new[] { 1f, 2f })));
        fitClassifier.Should().Throw<InvalidOperationException>()
            .WithMessage("PersistentMemoryRnnOptions.ValidationFraction = 0.05 holds out none of the 3 training rows with a label*");
        progress.Reports.Should().BeEmpty();
    }

    [Fact]
    public void ValidationDataWithoutARow_IsRefusedBeforeTraining_NamingTheOption()
    {
        var regression = Tiny();
        regression.ValidationData = _mlContext.Data.LoadFromEnumerable(Array.Empty<SequenceValueRow>());
        var fitRegression = () => _mlContext.Regression.Trainers.PersistentMemoryRnn(regression).Fit(_mlContext.Data.LoadFromEnumerable(SequenceTestData.Values(5, seed: 1)));
        fitRegression.Should().Throw<InvalidOperationException>().WithMessage("PersistentMemoryRnnOptions.ValidationData has no rows with a label in column 'Label'*");

        // Only rows with a missing label: the key of a value the training data's mapping does not know.
        var training = _mlContext.Data.LoadFromEnumerable(Rows(new[] { 1f, 2f }));
        var mapping = _mlContext.Transforms.Conversion.MapValueToKey("Label").Fit(training);
        var classification = Tiny();
        classification.ValidationData = mapping.Transform(_mlContext.Data.LoadFromEnumerable(new[] { new SequenceRow { Label = "unknown", Features = new[] { 1f, 2f } } }));
        var fitClassifier = () => _mlContext.MulticlassClassification.Trainers.PersistentMemoryRnn(classification).Fit(mapping.Transform(training));
        fitClassifier.Should().Throw<InvalidOperationException>().WithMessage("PersistentMemoryRnnOptions.ValidationData has no rows with a label in column 'Label'*");
    }

    private static PersistentMemoryRnnOptions Tiny()
    {
        var options = PersistentMemoryRnnEstimatorTests.Options();
        options.Epochs = 1;
        return options;
    }

    private static SequenceRow[] Rows(float[] last) => new[]
    {
        new SequenceRow { Label = "a", Features = new[] { 1f, 2f, 3f, 4f } },
        new SequenceRow { Label = "b", Features = new[] { -1f, -2f } },
        new SequenceRow { Label = "a", Features = last },
    };

    private IDataView Keyed(IEnumerable<SequenceRow> rows)
    {
        var data = _mlContext.Data.LoadFromEnumerable(rows);
        return _mlContext.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data);
    }

    private Transforms.Sequences.PersistentMemoryRnnTransformer Train(IEnumerable<SequenceRow> rows) =>
        _mlContext.MulticlassClassification.Trainers.PersistentMemoryRnn(Tiny()).Fit(Keyed(rows));

    private sealed class NumberRow
    {
        public uint Label { get; set; }

        public float[] Features { get; set; } = Array.Empty<float>();
    }

    private sealed class TextRow
    {
        public float Label { get; set; }

        public string Features { get; set; } = string.Empty;
    }

    private sealed class FixedRow
    {
        public float Label { get; set; }

        [VectorType(3)]
        public float[] Features { get; set; } = Array.Empty<float>();
    }
}
