using Microsoft.ML;
using MLNetExtensions.Estimators.Data;
using Microsoft.ML.Data;
using MLNetExtensions.Estimators.Sequences;
using MLNetExtensions.Estimators.Training;
using MLNetExtensions.Tests.TestSupport;
using MLNetExtensions.Tests.Training.Support;
using MLNetExtensions.Transforms.DataView;
using MLNetExtensions.Transforms.ModelFiles;
using MLNetExtensions.Transforms.Sequences;

namespace MLNetExtensions.Tests.Sequences;

/// <summary>The trainers in ML.NET pipelines: Evaluate, PredictionEngine, model files, determinism, memory initialisation.</summary>
[Collection(TorchGlobalStateCollection.Name)]
public sealed class PersistentMemoryRnnEstimatorTests : IDisposable
{
    private readonly MLContext _mlContext = new(seed: 3);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mlnetext-prnn-" + Guid.NewGuid().ToString("N"));

    public PersistentMemoryRnnEstimatorTests() => Directory.CreateDirectory(_directory);

    internal static PersistentMemoryRnnOptions Options(RnnCellKind kind = RnnCellKind.PersistentMemory) => new()
    {
        StepSize = SequenceTestData.StepSize,
        CellKind = kind,
        HiddenSize = 8,
        MemorySlots = 3,
        MemoryWidth = 4,
        Epochs = 12,
        BatchSize = 16,
        LearningRate = 0.03,
        Seed = 5,
        NumberOfThreads = 1,
    };

    [Theory]
    [InlineData(RnnCellKind.PersistentMemory)]
    [InlineData(RnnCellKind.PersistentMemoryMixture)]
    [InlineData(RnnCellKind.Lstm)]
    [InlineData(RnnCellKind.Gru)]
    public void TheClassifier_LearnsTheSequenceShapes_AndEvaluateAcceptsItsColumns(RnnCellKind kind)
    {
        var raw = _mlContext.Data.LoadFromEnumerable(SequenceTestData.Classes(90, seed: 1));
        var pipeline = _mlContext.Transforms.Conversion.MapValueToKey("Label")
            .Append(_mlContext.MulticlassClassification.Trainers.PersistentMemoryRnn(Options(kind)))
            .Append(_mlContext.Transforms.Conversion.MapKeyToValue("PredictedName", "PredictedLabel"));
        var model = pipeline.Fit(raw);
        var test = _mlContext.Data.LoadFromEnumerable(SequenceTestData.Classes(60, seed: 2));
        var scored = model.Transform(test);
        var metrics = _mlContext.MulticlassClassification.Evaluate(scored);

        metrics.MicroAccuracy.Should().BeGreaterThan(0.8, $"rising, falling and oscillating sequences are easy to tell apart ({kind})");
        scored.GetColumn<string>("PredictedName").Distinct().Should().BeSubsetOf(new[] { "rise", "fall", "wave" });
        scored.GetColumn<float[]>("Score").Should().AllSatisfy(p => p.Sum().Should().BeApproximately(1f, 1e-4f));
        DisposeAll(model);
    }

    [Fact]
    public void NumericLabels_ComeBackThroughMapKeyToValue_InTheirOwnType_AlsoFromAModelFile()
    {
        // Class labels that are numbers (a rating, a code): MapValueToKey keeps them as Single key values.
        var codes = new Dictionary<string, float> { ["rise"] = 1.5f, ["fall"] = -2f, ["wave"] = 7f };
        var rows = SequenceTestData.Classes(45, seed: 6).Select(r => new NumericLabelRow { Label = codes[r.Label], Features = r.Features }).ToList();
        var raw = _mlContext.Data.LoadFromEnumerable(rows);
        var options = Options();
        options.Epochs = 3;
        var pipeline = _mlContext.Transforms.Conversion.MapValueToKey("Label")
            .Append(_mlContext.MulticlassClassification.Trainers.PersistentMemoryRnn(options))
            .Append(_mlContext.Transforms.Conversion.MapKeyToValue("PredictedCode", "PredictedLabel"));
        pipeline.GetOutputSchema(SchemaShapeColumns.ShapeOf(raw.Schema)).Single(c => c.Name == "PredictedCode").ItemType.Should().Be(NumberDataViewType.Single);
        var model = pipeline.Fit(raw);
        string path = Path.Combine(_directory, "numeric-labels.zip");
        _mlContext.Model.SaveWithTensors(model, raw.Schema, path);
        var loaded = _mlContext.Model.LoadWithTensors(path, out _);

        foreach (var fitted in new[] { model, loaded })
        {
            var scored = fitted.Transform(raw);
            VBuffer<float> keyValues = default;
            scored.Schema["PredictedLabel"].GetKeyValues(ref keyValues);
            keyValues.DenseValues().Should().Equal(1.5f, -2f, 7f);
            VBuffer<ReadOnlyMemory<char>> slotNames = default;
            scored.Schema["Score"].GetSlotNames(ref slotNames);
            slotNames.DenseValues().Select(n => n.ToString()).Should().Equal("1.5", "-2", "7");
            var predicted = scored.GetColumn<float>("PredictedCode").ToList();
            predicted.Should().OnlyContain(code => codes.ContainsValue(code));
            predicted.Zip(rows, (p, r) => p == r.Label).Count(right => right).Should().BeGreaterThan(rows.Count / 2, "the predicted code is the row's class code, not a key number");
        }

        DisposeAll(model);
        DisposeAll(loaded);

        // Settings that declare a type the class names cannot have are a damaged file, named as such.
        ModelFileSurgery.RewriteText(path, "settings.json", settings => settings.Replace("\"ClassNameType\": \"Single\"", "\"ClassNameType\": \"Decimal\""));
        var damaged = () => _mlContext.Model.LoadWithTensors(path, out _);
        damaged.Should().Throw<InvalidDataException>().WithMessage("Model file*numeric-labels.zip*component*cannot be rebuilt*'Decimal'*");
    }

    [Fact]
    public void TheRegressor_PredictsTheMeanBetterThanAConstant_AndEvaluateAcceptsItsScore()
    {
        var train = _mlContext.Data.LoadFromEnumerable(SequenceTestData.Values(120, seed: 3));
        var options = Options();
        options.Epochs = 40;
        using var model = _mlContext.Regression.Trainers.PersistentMemoryRnn(options).Fit(train);
        var test = _mlContext.Data.LoadFromEnumerable(SequenceTestData.Values(60, seed: 4));
        var metrics = _mlContext.Regression.Evaluate(model.Transform(test));
        metrics.RSquared.Should().BeGreaterThan(0.5, "the target is a simple function of the sequence");
    }

    [Fact]
    public void AFixedSizeColumn_IsReadAsStepsOfStepSize_LikeTheSameValuesInAVariableSizeColumn()
    {
        var rows = SequenceTestData.Values(40, seed: 9).Select(r => new FixedValueRow { Label = r.Label, Features = r.Features.Concat(new float[8]).Take(8).ToArray() }).ToList();
        var fixedSize = _mlContext.Data.LoadFromEnumerable(rows);
        var options = Options();
        options.Epochs = 2;
        using var model = _mlContext.Regression.Trainers.PersistentMemoryRnn(options).Fit(fixedSize);
        var variable = _mlContext.Data.LoadFromEnumerable(rows.Select(r => new SequenceValueRow { Label = r.Label, Features = r.Features }));

        var fromFixed = model.Transform(fixedSize).GetColumn<float>("Score").ToList();
        fromFixed.Should().Equal(model.Transform(variable).GetColumn<float>("Score"));
        fromFixed.Distinct().Should().HaveCountGreaterThan(1);
    }

    [Fact]
    public void PredictionEngine_GivesExactlyTheBatchedTransformOutputs_WithAddressingWeights()
    {
        var data = SequenceTestData.KeyedClasses(_mlContext, 45, seed: 5);
        var options = Options();
        options.AddressingColumnName = "Addressing";
        options.Epochs = 3;
        using var model = _mlContext.MulticlassClassification.Trainers.PersistentMemoryRnn(options).Fit(data);
        model.InferenceBatchSize = 7;
        var rows = SequenceTestData.Classes(45, seed: 5);
        var raw = _mlContext.Data.LoadFromEnumerable(rows);
        var batched = model.Transform(raw);
        var scores = batched.GetColumn<float[]>("Score").ToList();
        var addressing = batched.GetColumn<float[]>("Addressing").ToList();

        var engine = _mlContext.Model.CreatePredictionEngine<SequenceRow, ScoredRow>(model, raw.Schema);
        for (int i = 0; i < rows.Count; i++)
        {
            var single = engine.Predict(rows[i]);
            single.Score.Should().Equal(scores[i], $"row {i}");
            single.Addressing.Should().Equal(addressing[i]);
            single.Addressing.Should().HaveCount(rows[i].Features.Length / SequenceTestData.StepSize * options.MemorySlots);
        }
    }

    [Theory]
    [InlineData(RnnCellKind.PersistentMemory)]
    [InlineData(RnnCellKind.PersistentMemoryMixture)]
    [InlineData(RnnCellKind.Lstm)]
    [InlineData(RnnCellKind.Gru)]
    public void PredictionEngine_GivesExactlyTheBatchedTransformOutputs_AtTheBenchmarksWidths(RnnCellKind kind)
    {
        // The benchmark's hidden size and memory: a row scored alone runs padded to its own length, in a batch to the
        // longest row of its chunk, so the products see other shapes; the outputs must still be the same bits.
        var data = SequenceTestData.KeyedClasses(_mlContext, 40, seed: 9);
        var options = Options(kind);
        options.HiddenSize = 64;
        options.Epochs = 1;
        if (kind is RnnCellKind.PersistentMemory or RnnCellKind.PersistentMemoryMixture)
        {
            options.MemorySlots = 8;
            options.MemoryWidth = 32;
        }

        using var model = _mlContext.MulticlassClassification.Trainers.PersistentMemoryRnn(options).Fit(data);
        var rows = SequenceTestData.Classes(40, seed: 9);
        var raw = _mlContext.Data.LoadFromEnumerable(rows);
        var scores = model.Transform(raw).GetColumn<float[]>("Score").ToList();
        var engine = _mlContext.Model.CreatePredictionEngine<SequenceRow, ScoreRow>(model, raw.Schema);
        for (int i = 0; i < rows.Count; i++)
        {
            engine.Predict(rows[i]).Score.Should().Equal(scores[i], $"row {i} of {kind}");
        }
    }

    [Fact]
    public void AModelFile_LoadsInAFreshProcess_WithIdenticalOutputs()
    {
        var raw = _mlContext.Data.LoadFromEnumerable(SequenceTestData.Classes(45, seed: 6));
        var options = Options();
        options.Epochs = 3;
        options.AddressingColumnName = "Addressing";
        var model = _mlContext.Transforms.Conversion.MapValueToKey("Label")
            .Append(_mlContext.MulticlassClassification.Trainers.PersistentMemoryRnn(options))
            .Fit(raw);
        string path = Path.Combine(_directory, "prnn.zip");
        _mlContext.Model.SaveWithTensors(model, raw.Schema, path);

        var expected = model.Transform(raw);
        var actual = ChildProcess.TransformInFreshProcess(_mlContext, path, raw, _directory);
        actual.GetColumn<float[]>("Score").Should().BeEquivalentTo(expected.GetColumn<float[]>("Score"), o => o.WithStrictOrdering());
        actual.GetColumn<float[]>("Addressing").Should().BeEquivalentTo(expected.GetColumn<float[]>("Addressing"), o => o.WithStrictOrdering());
        actual.GetColumn<uint>("PredictedLabel").Should().Equal(expected.GetColumn<uint>("PredictedLabel"));

        var loaded = _mlContext.Model.LoadWithTensors(path, out _);
        var rnn = ((TransformerChain<ITransformer>)loaded).OfType<PersistentMemoryRnnTransformer>().Single();
        rnn.Config.Should().Be(model.OfType<PersistentMemoryRnnTransformer>().Single().Config);
        var trained = model.OfType<PersistentMemoryRnnTransformer>().Single().GetTrainingResult()!;
        trained.Steps.Should().Be(9, "3 epochs of 45 rows in batches of 16");
        rnn.GetTrainingResult().Should().BeEquivalentTo(trained, "the training result travels in the model file");
        DisposeAll(model);
        DisposeAll(loaded);
    }

    [Fact]
    public void TheSameSeed_GivesIdenticalModels_AndAnotherSeedDoesNot()
    {
        var data = SequenceTestData.KeyedClasses(_mlContext, 45, seed: 7);
        float[] Scores(int seed)
        {
            var options = Options();
            options.Epochs = 2;
            options.Seed = seed;
            options.MemoryInitialization = MemoryInitialization.KMeans;
            using var model = _mlContext.MulticlassClassification.Trainers.PersistentMemoryRnn(options).Fit(data);
            return model.Transform(data).GetColumn<float[]>("Score").SelectMany(s => s).ToArray();
        }

        Scores(11).Should().Equal(Scores(11));
        Scores(12).Should().NotEqual(Scores(11));
    }

    [Fact]
    public void MemoryInitialisation_FromPrototypes_SetsTheSlotsToTheirEncodings_AndKMeansToDataCentres()
    {
        var data = SequenceTestData.KeyedClasses(_mlContext, 30, seed: 8);
        var options = Options();
        options.MemoryInitialization = MemoryInitialization.Prototypes;
        options.MemoryPrototypes = new[] { new[] { 1f, 0f }, new[] { -1f, 0f }, new[] { 0f, 1f } };
        using var model = new PersistentMemoryRnn(options.ToConfig(3), new TorchSharp.torch.Generator(1));
        MemoryInitializer.Apply(model, options, data, seed: 1);
        using (var scope = TorchSharp.torch.NewDisposeScope())
        {
            var encoded = model.Encode(TorchSharp.torch.tensor(new[] { 1f, 0f, -1f, 0f, 0f, 1f }, new long[] { 3, 2 }));
            model.Memory!.allclose(encoded).Should().BeTrue();
        }

        options.MemoryInitialization = MemoryInitialization.KMeans;
        options.KMeansSampleSteps = int.MaxValue; // "every step": the sample must not reserve room for 2^31 steps
        using var clustered = new PersistentMemoryRnn(options.ToConfig(3), new TorchSharp.torch.Generator(1));
        var before = clustered.Memory!.data<float>().ToArray();
        MemoryInitializer.Apply(clustered, options, data, seed: 1);
        var after = clustered.Memory!.data<float>().ToArray();
        after.Should().NotEqual(before);
        after.Should().AllSatisfy(v => Math.Abs(v).Should().BeLessThan(1f, "centres of tanh encodings lie in (−1, 1)"));
    }

    [Fact]
    public void ACancelledFit_LeavesACheckpoint_AndTheNextFitResumesFromIt_ToTheUninterruptedModel()
    {
        var data = SequenceTestData.KeyedClasses(_mlContext, 48, seed: 1);
        PersistentMemoryRnnOptions Options3Epochs()
        {
            var options = Options();
            options.Epochs = 3;
            options.LogEveryNSteps = 2;
            options.CheckpointDirectory = Path.Combine(_directory, "checkpoints");
            return options;
        }

        var uninterruptedOptions = Options3Epochs();
        uninterruptedOptions.CheckpointDirectory = null;
        using var uninterrupted = _mlContext.MulticlassClassification.Trainers.PersistentMemoryRnn(uninterruptedOptions).Fit(data);

        using var cancel = new CancellationTokenSource();
        var cancelling = Options3Epochs();
        cancelling.CancellationToken = cancel.Token;
        cancelling.Progress = new SynchronousProgress(p =>
        {
            if (p.Kind == TrainingProgressKind.Step && p.Step == 2)
            {
                cancel.Cancel();
            }
        });
        var fit = () => _mlContext.MulticlassClassification.Trainers.PersistentMemoryRnn(cancelling).Fit(data);
        fit.Should().Throw<OperationCanceledException>().WithMessage("*cancelled after 2 of 9 steps*persistent-memory-rnn.ckpt*ResumeFromCheckpoint*");

        var resuming = Options3Epochs();
        resuming.ResumeFromCheckpoint = true;
        using var resumed = _mlContext.MulticlassClassification.Trainers.PersistentMemoryRnn(resuming).Fit(data);
        resumed.GetTrainingResult()!.ResumedFromStep.Should().Be(2, "the run continues from the checkpoint, not from scratch");
        resumed.Transform(data).GetColumn<float[]>("Score").SelectMany(p => p)
            .Should().Equal(uninterrupted.Transform(data).GetColumn<float[]>("Score").SelectMany(p => p), "on the CPU a resumed run equals an uninterrupted one");
    }

    [Fact]
    public void WeightDecay_EmptiesTheWeightMatrices_ButLeavesTheBiases()
    {
        var data = SequenceTestData.KeyedClasses(_mlContext, 16, seed: 1);
        PersistentMemoryRnnOptions OneUpdate(double weightDecay)
        {
            var options = Options(RnnCellKind.Lstm);
            options.MaxSteps = 1;
            options.BatchSize = 16;
            options.LearningRate = 0.01;
            options.MaxGradientNorm = null;
            options.WeightDecay = weightDecay;
            return options;
        }

        using var plain = _mlContext.MulticlassClassification.Trainers.PersistentMemoryRnn(OneUpdate(weightDecay: 0)).Fit(data);
        // Decoupled decay multiplies a decaying weight by 1 − 0.01 × 100 = 0; the one Adam step then moves it by about 0.01.
        using var decayed = _mlContext.MulticlassClassification.Trainers.PersistentMemoryRnn(OneUpdate(weightDecay: 100)).Fit(data);

        var plainLargest = plain.Model.named_parameters().ToDictionary(p => p.name, p => p.parameter.abs().max().item<float>());
        var decayedParameters = decayed.Model.named_parameters().ToList();
        decayedParameters.Should().Contain(p => p.parameter.dim() >= 2).And.Contain(p => p.parameter.dim() == 1);
        foreach (var (name, parameter) in decayedParameters)
        {
            float largest = parameter.abs().max().item<float>();
            if (parameter.dim() >= 2)
            {
                largest.Should().BeLessThan(0.02f, $"{name} is a matrix, which weight decay applies to");
                plainLargest[name].Should().BeGreaterThan(0.1f, $"{name} starts far from 0 without decay");
            }
            else
            {
                largest.Should().BeApproximately(plainLargest[name], 1e-6f, $"{name} is a bias, which gets no weight decay");
            }
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static void DisposeAll(ITransformer model)
    {
        foreach (var part in ((IEnumerable<ITransformer>)model).OfType<IDisposable>())
        {
            part.Dispose();
        }
    }

    public sealed class NumericLabelRow
    {
        public float Label { get; set; }

        public float[] Features { get; set; } = Array.Empty<float>();
    }

    public sealed class FixedValueRow
    {
        public float Label { get; set; }

        [VectorType(8)]
        public float[] Features { get; set; } = Array.Empty<float>();
    }

    /// <summary>The score alone, for models without an addressing column.</summary>
    public sealed class ScoreRow
    {
        public float[] Score { get; set; } = Array.Empty<float>();
    }

    public sealed class ScoredRow
    {
        public float[] Score { get; set; } = Array.Empty<float>();

        public float[] Addressing { get; set; } = Array.Empty<float>();
    }
}
