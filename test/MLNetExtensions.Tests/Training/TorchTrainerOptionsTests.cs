using Microsoft.ML;
using MLNetExtensions.Estimators.Bert;
using MLNetExtensions.Estimators.Data;
using MLNetExtensions.Estimators.FineTuning;
using MLNetExtensions.Estimators.Ids;
using MLNetExtensions.Estimators.Sequences;
using MLNetExtensions.Estimators.Training;
using MLNetExtensions.Transforms.Bert;

namespace MLNetExtensions.Tests.Training;

/// <summary>
/// One options base for every TorchSharp estimator: the shared settings have one name and one rule in all of them,
/// each estimator keeps its documented defaults, and they reach the training engine unchanged.
/// </summary>
public sealed class TorchTrainerOptionsTests
{
    public static TheoryData<string> AllOptions => new() { "pretraining", "mslt", "core", "classification", "prnn", "ids" };

    public static TheoryData<string> SingleRunOptions => new() { "classification", "prnn", "ids" };

    private static TorchTrainerOptions Create(string kind) => kind switch
    {
        "pretraining" => new BertPretrainingOptions(),
        "mslt" => new MultiStageBertOptions(),
        "core" => new CoReBertOptions(),
        "classification" => new BertClassificationOptions(),
        "prnn" => new PersistentMemoryRnnOptions(),
        "ids" => new IdEmbeddingOptions(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Options of <paramref name="kind"/> that pass validation (the BERT ones need a start and a vocabulary).</summary>
    private static TorchTrainerOptions CreateValid(string kind) => Create(kind) switch
    {
        BertClassificationOptions classification => Completed(classification),
        BertPretrainingOptions pretraining => Completed(pretraining),
        var other => other,
    };

    private static BertClassificationOptions Completed(BertClassificationOptions options)
    {
        options.Config = new BertConfig();
        options.VocabularyPath = ShippedData.BertVocabularyPath;
        return options;
    }

    private static BertPretrainingOptions Completed(BertPretrainingOptions options)
    {
        options.VocabularyPath = ShippedData.BertVocabularyPath;
        return options;
    }

    [Theory]
    [MemberData(nameof(AllOptions))]
    public void EverySharedOption_IsCheckedWithTheSameRule_AndNamedWithItsOptionsClass(string kind)
    {
        var cases = new (string Option, Action<TorchTrainerOptions> Break)[]
        {
            ("BatchSize", o => o.BatchSize = 0),
            ("WeightDecay", o => o.WeightDecay = -0.1),
            ("WeightDecay", o => o.WeightDecay = double.NaN),
            ("MaxGradientNorm", o => o.MaxGradientNorm = 0),
            ("NumberOfThreads", o => o.NumberOfThreads = 0),
            ("ValidationFraction", o => o.ValidationFraction = 1),
            ("ValidationFraction", o => o.ValidationFraction = 0),
            ("ValidateEveryNSteps", o => o.ValidateEveryNSteps = 0),
            ("LogEveryNSteps", o => o.LogEveryNSteps = 0),
            ("CheckpointEveryNSteps", o => o.CheckpointEveryNSteps = 0),
        };
        foreach (var (option, breakIt) in cases)
        {
            var options = Create(kind);
            breakIt(options);
            options.Invoking(o => o.Validate()).Should().Throw<ArgumentOutOfRangeException>()
                .WithParameterName(option)
                .WithMessage($"{options.GetType().Name}.{option} *", $"{kind}: {option}");
        }

        var resume = Create(kind);
        resume.ResumeFromCheckpoint = true;
        resume.Invoking(o => o.Validate()).Should().Throw<ArgumentException>()
            .WithParameterName(nameof(TorchTrainerOptions.CheckpointDirectory))
            .WithMessage($"{resume.GetType().Name}.ResumeFromCheckpoint needs {resume.GetType().Name}.CheckpointDirectory*");
    }

    [Theory]
    [MemberData(nameof(SingleRunOptions))]
    public void EverySingleRunOption_IsCheckedWithTheSameRule(string kind)
    {
        var cases = new (string Option, Action<SingleRunTrainerOptions> Break)[]
        {
            ("Epochs", o => o.Epochs = 0),
            ("MaxSteps", o => o.MaxSteps = 0),
            ("LearningRate", o => o.LearningRate = 0),
            ("LearningRate", o => o.LearningRate = double.PositiveInfinity),
            ("WarmupFraction", o => o.WarmupFraction = 1),
            ("Decay", o => o.Decay = (LearningRateDecay)42),
            ("EarlyStoppingPatience", o => o.EarlyStoppingPatience = 0),
        };
        foreach (var (option, breakIt) in cases)
        {
            var options = (SingleRunTrainerOptions)Create(kind);
            breakIt(options);
            options.Invoking(o => o.Validate()).Should().Throw<ArgumentOutOfRangeException>()
                .WithParameterName(option)
                .WithMessage($"{options.GetType().Name}.{option} *", $"{kind}: {option}");
        }

        var both = (SingleRunTrainerOptions)Create(kind);
        both.ValidationFraction = 0.2;
        both.ValidationData = new MLContext().Data.LoadFromEnumerable(new[] { new { X = 1f } });
        both.Invoking(o => o.Validate()).Should().Throw<ArgumentException>()
            .WithParameterName(nameof(TorchTrainerOptions.ValidationFraction))
            .WithMessage("*ValidationData and *ValidationFraction are both set*");
    }

    [Theory]
    [MemberData(nameof(SingleRunOptions))]
    public void EarlyStoppingOrAValidationCadence_WithoutValidationRows_IsRefused_NamingTheOptions(string kind)
    {
        var cases = new (string Option, Action<SingleRunTrainerOptions> Set)[]
        {
            ("EarlyStoppingPatience", o => o.EarlyStoppingPatience = 1),
            ("ValidateEveryNSteps", o => o.ValidateEveryNSteps = 10),
        };
        foreach (var (option, set) in cases)
        {
            var options = (SingleRunTrainerOptions)CreateValid(kind);
            set(options);
            string name = options.GetType().Name;
            options.Invoking(o => o.Validate()).Should().Throw<ArgumentException>()
                .WithParameterName(option)
                .WithMessage($"{name}.{option} is set, but there are no validation rows *: set {name}.ValidationFraction or {name}.ValidationData as well*", $"{kind}: {option}");

            options.ValidationFraction = 0.2;
            options.Invoking(o => o.Validate()).Should().NotThrow($"{kind}: {option} with ValidationFraction");
            options.ValidationFraction = null;
            options.ValidationData = new MLContext().Data.LoadFromEnumerable(new[] { new { X = 1f } });
            options.Invoking(o => o.Validate()).Should().NotThrow($"{kind}: {option} with ValidationData");
        }
    }

    [Fact]
    public void TheClassifiersDefaultPatience_AppliesOnlyWithValidationRows_WhileTheSameValueSetIsChecked()
    {
        var defaults = Completed(new BertClassificationOptions());
        defaults.EarlyStoppingPatience.Should().Be(3);
        defaults.Invoking(o => o.Validate()).Should().NotThrow("the default patience waits for validation rows");
        defaults.ToTrainingOptions(1, 1e-3, validates: true, checkpointFile: null).EarlyStopping!.Patience.Should().Be(3);

        var set = Completed(new BertClassificationOptions { EarlyStoppingPatience = 3 });
        set.Invoking(o => o.Validate()).Should().Throw<ArgumentException>().WithParameterName("EarlyStoppingPatience");
    }

    [Fact]
    public void PreTrainingsValidationCadence_NeedsItsValidationFraction()
    {
        var options = Completed(new BertPretrainingOptions { ValidateEveryNSteps = 5 });
        options.Invoking(o => o.Validate()).Should().NotThrow("pre-training holds out 5 % by default");

        options.ValidationFraction = null;
        options.Invoking(o => o.Validate()).Should().Throw<ArgumentException>()
            .WithParameterName("ValidateEveryNSteps")
            .WithMessage("BertPretrainingOptions.ValidateEveryNSteps is set, but there are no validation rows to validate on: set BertPretrainingOptions.ValidationFraction as well, or leave ValidateEveryNSteps null.*");
    }

    [Fact]
    public void EachEstimator_KeepsItsDocumentedDefaults_OnTheSharedSettings()
    {
        var pretraining = new BertPretrainingOptions();
        (pretraining.BatchSize, pretraining.WeightDecay, pretraining.MaxGradientNorm, pretraining.ValidationFraction, pretraining.LogEveryNSteps)
            .Should().Be((32, 0.01, (double?)1.0, (double?)0.05, 10));

        var classification = new BertClassificationOptions();
        (classification.Epochs, classification.LearningRate, classification.WarmupFraction, classification.Decay, classification.EarlyStoppingPatience, classification.WeightDecay)
            .Should().Be(((int?)3, (double?)null, 0.1, LearningRateDecay.Linear, (int?)3, 0.01));

        var rnn = new PersistentMemoryRnnOptions();
        (rnn.Epochs, rnn.LearningRate, rnn.Decay, rnn.WeightDecay, rnn.MaxGradientNorm, rnn.EarlyStoppingPatience)
            .Should().Be(((int?)20, (double?)PersistentMemoryRnnOptions.DefaultLearningRate, LearningRateDecay.None, 0.0, (double?)1.0, (int?)null));

        var ids = new IdEmbeddingOptions();
        (ids.BatchSize, ids.Epochs, ids.LearningRate, ids.Decay, ids.WeightDecay, ids.MaxGradientNorm)
            .Should().Be((128, (int?)5, (double?)IdEmbeddingOptions.DefaultLearningRate, LearningRateDecay.Linear, 0.0, (double?)null));
    }

    [Fact]
    public void TheSharedSettings_ReachTheEngine_AndValidationSettingsOnlyWhenThereAreValidationRows()
    {
        var options = new PersistentMemoryRnnOptions
        {
            BatchSize = 7,
            Epochs = 4,
            MaxSteps = 90,
            LearningRate = null,
            WarmupFraction = 0.25,
            Decay = LearningRateDecay.Cosine,
            WeightDecay = 0.03,
            MaxGradientNorm = 2.5,
            NumberOfThreads = 3,
            LogEveryNSteps = 6,
            ValidateEveryNSteps = 11,
            EarlyStoppingPatience = 2,
            CheckpointDirectory = "ckpt",
            CheckpointEveryNSteps = 13,
            ResumeFromCheckpoint = true,
        };

        var engine = options.ToTrainingOptions(seed: 17, defaultLearningRate: 0.125, validates: true, checkpointFile: "ckpt/run.ckpt");
        engine.Validate();
        (engine.BatchSize, engine.Epochs, engine.MaxSteps, engine.LearningRate, engine.WarmupFraction, engine.WarmupSteps, engine.Decay)
            .Should().Be((7, (int?)4, (long?)90, 0.125, 0.25, 0L, LearningRateDecay.Cosine));
        (engine.WeightDecay, engine.MaxGradientNorm, engine.Seed, engine.NumberOfThreads, engine.LogEveryNSteps, engine.ValidateEveryNSteps)
            .Should().Be((0.03, (double?)2.5, (int?)17, (int?)3, 6, (int?)11));
        engine.EarlyStopping.Should().BeEquivalentTo(new EarlyStoppingOptions { Patience = 2, RestoreBestWeights = true });
        (engine.CheckpointPath, engine.CheckpointEveryNSteps, engine.ResumeFromCheckpoint).Should().Be(("ckpt/run.ckpt", (int?)13, "ckpt/run.ckpt"));

        var withoutValidation = options.ToTrainingOptions(seed: 17, defaultLearningRate: 0.125, validates: false, checkpointFile: null);
        (withoutValidation.ValidateEveryNSteps, withoutValidation.EarlyStopping, withoutValidation.CheckpointPath, withoutValidation.ResumeFromCheckpoint)
            .Should().Be(((int?)null, (EarlyStoppingOptions?)null, (string?)null, (string?)null));

        options.LearningRate = 0.5;
        options.ToTrainingOptions(17, 0.125, false, null).LearningRate.Should().Be(0.5, "a learning rate the user set wins over the estimator's default");

        var staged = new BertPretrainingOptions { BatchSize = 5, WeightDecay = 0.2, MaxGradientNorm = null, NumberOfThreads = 2, ValidateEveryNSteps = 3, LogEveryNSteps = 4, CheckpointDirectory = "d", CheckpointEveryNSteps = 9, ResumeFromCheckpoint = true }
            .ToStagedTrainingSettings(seed: 23);
        (staged.BatchSize, staged.WeightDecay, staged.MaxGradientNorm, staged.Seed, staged.NumberOfThreads, staged.ValidateEveryNSteps, staged.LogEveryNSteps)
            .Should().Be((5, 0.2, (double?)null, 23, (int?)2, (int?)3, 4));
        (staged.CheckpointDirectory, staged.CheckpointEveryNSteps, staged.Resume).Should().Be(("d", (int?)9, true));
    }
}
