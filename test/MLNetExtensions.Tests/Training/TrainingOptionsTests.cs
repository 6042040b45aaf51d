using MLNetExtensions.Estimators.Training;

namespace MLNetExtensions.Tests.Training;

public sealed class TrainingOptionsTests
{
    public static TheoryData<TrainingOptions, string> BadOptions() => new()
    {
        { new TrainingOptions { BatchSize = 0 }, "BatchSize" },
        { new TrainingOptions { LearningRate = -1e-3 }, "LearningRate" },
        { new TrainingOptions { WeightDecay = -1 }, "WeightDecay" },
        { new TrainingOptions { Beta1 = 1.0 }, "Beta1" },
        { new TrainingOptions { Beta2 = -0.1 }, "Beta2" },
        { new TrainingOptions { Epochs = 0 }, "Epochs" },
        { new TrainingOptions { MaxSteps = 0 }, "MaxSteps" },
        { new TrainingOptions { MaxSteps = 10, WarmupSteps = 11 }, "WarmupSteps" },
        { new TrainingOptions { FinalLearningRateFraction = 1.5 }, "FinalLearningRateFraction" },
        { new TrainingOptions { MaxGradientNorm = 0 }, "MaxGradientNorm" },
        { new TrainingOptions { LogEveryNSteps = 0 }, "LogEveryNSteps" },
        { new TrainingOptions { CheckpointEveryNSteps = -2, CheckpointPath = "x" }, "CheckpointEveryNSteps" },
        { new TrainingOptions { NumberOfThreads = 0 }, "NumberOfThreads" },
        { new TrainingOptions { WarmupFraction = 1 }, "WarmupFraction" },
        { new TrainingOptions { WarmupFraction = 0.1, WarmupSteps = 3 }, "WarmupFraction" },
        { new TrainingOptions { EarlyStopping = new EarlyStoppingOptions { Patience = 0 } }, "EarlyStopping.Patience" },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Validate_NamesTheBadOption(TrainingOptions options, string option)
    {
        var act = options.Validate;

        var error = act.Should().Throw<ArgumentException>().Which;
        error.ParamName.Should().Be(option);
        error.Message.Should().Contain(option);
    }

    [Fact]
    public void CheckpointCadenceWithoutPath_IsRejected()
    {
        var act = new TrainingOptions { CheckpointEveryNSteps = 10 }.Validate;

        act.Should().Throw<ArgumentException>().WithMessage("*CheckpointPath*");
    }

    [Fact]
    public void Defaults_AreValid()
    {
        var act = new TrainingOptions().Validate;

        act.Should().NotThrow();
    }
}
