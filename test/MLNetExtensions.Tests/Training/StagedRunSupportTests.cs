using MLNetExtensions.Estimators.Training;
using MLNetExtensions.Tests.TestSupport;
using MLNetExtensions.Tests.Training.Support;

namespace MLNetExtensions.Tests.Training;

/// <summary>What staged-training plans need from the engine: one schedule across runs, and AdamW moments carried between them.</summary>
[Collection(TorchGlobalStateCollection.Name)]
public sealed class StagedRunSupportTests
{
    [Fact]
    public void ARunInsideALongerSchedule_UsesThatSchedulesRates()
    {
        var harness = new EngineHarness();
        var rates = new List<double>();
        var progress = new SynchronousProgress(p =>
        {
            if (p.Kind == TrainingProgressKind.Step)
            {
                rates.Add(p.LearningRate);
            }
        });
        var options = TrainingFixtures.Options with
        {
            MaxSteps = 4, Epochs = null, LearningRate = 0.1, WarmupSteps = 10, Decay = LearningRateDecay.Linear,
            Stage = new StageSegment { ScheduleOffsetSteps = 6, ScheduleTotalSteps = 20 }, LogEveryNSteps = 1,
        };

        harness.Train(options, progress: progress);

        var schedule = new LearningRateSchedule(0.1, 20, 10, LearningRateDecay.Linear);
        rates.Should().Equal(Enumerable.Range(6, 4).Select(step => schedule.LearningRateAt(step)));
    }

    [Fact]
    public void WarmupLongerThanTheRun_IsFineInsideALongerSchedule_ButNotBeyondIt()
    {
        var options = TrainingFixtures.Options with { MaxSteps = 4, Epochs = null, WarmupSteps = 10, Stage = new StageSegment { ScheduleTotalSteps = 20 } };
        options.Invoking(o => o.Validate()).Should().NotThrow();
        var tooLong = options with { WarmupSteps = 21 };
        tooLong.Invoking(o => o.Validate()).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*WarmupSteps*ScheduleTotalSteps (20)*");
    }

    [Fact]
    public void CarriedMoments_ContinueInTheNextRun_OnlyForParametersThatTrainAgain()
    {
        var harness = new EngineHarness();
        using var store = new OptimizerStateStore();
        var options = TrainingFixtures.Options with { MaxSteps = 5, Epochs = null, Stage = new StageSegment { ScheduleTotalSteps = 5, OptimizerStateCarry = store } };

        harness.Train(options);
        store.Names.Should().BeEquivalentTo("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias");
        store["fc2.weight"]!.Step.Should().Be(5);
        var firstMoment = store["fc1.weight"]!.ExpAvg.clone();

        harness.Train(options, groups: [new ParameterGroup("head", harness.Model.Output.parameters())]);
        store["fc2.weight"]!.Step.Should().Be(10, "the head went on from its carried moments");
        store["fc1.weight"]!.Step.Should().Be(5, "the frozen body keeps the moments it had");
        TrainingFixtures.BitEqual(store["fc1.weight"]!.ExpAvg, firstMoment).Should().BeTrue();

        store.Clear();
        harness.Train(options);
        store["fc2.weight"]!.Step.Should().Be(5, "after a reset the moments start afresh");
    }
}
