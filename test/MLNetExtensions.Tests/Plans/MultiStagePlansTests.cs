using MLNetExtensions.Estimators.Bert;
using MLNetExtensions.Estimators.Plans;
using MLNetExtensions.Estimators.Sweeps;
using MLNetExtensions.Estimators.Training;
using MLNetExtensions.Transforms.Bert;

namespace MLNetExtensions.Tests.Plans;

public sealed class MultiStagePlansTests
{
    private static MultiStagePlanSettings TwoToSix(int totalSteps = 3000) => new()
    {
        StartDepth = 2,
        LayersPerStage = 2,
        TargetDepth = 6,
        TotalSteps = totalSteps,
        Schedule = new LearningRateScheduleSettings { PeakLearningRate = 1e-3, WarmupSteps = Math.Min(100, totalSteps), Decay = LearningRateDecay.Cosine },
    };

    [Fact]
    public void Mslt_GrowsByTheGivenLayers_AndTrainsOnlyTheNewTopLayersAfterTheFirstStage()
    {
        var plan = MultiStagePlans.Mslt(TwoToSix());

        plan.Name.Should().Be("mslt");
        plan.Stages.Select(s => s.Depth).Should().Equal(2, 4, 6);
        plan.Stages.Select(s => s.Steps).Should().Equal(1000, 1000, 1000);
        plan.Stages.Select(s => s.TrainableLayerCount).Should().Equal(2, 2, 2);
        plan.Stages.Select(s => s.TrainableTopLayers).Should().Equal(null, 2, 2);
        plan.Stages.Select(s => s.TrainEmbeddings).Should().Equal(true, false, false);
        plan.Stages.Select(s => s.TrainHead).Should().Equal(true, true, true);
        plan.Stages.Select(s => s.NewLayers).Should().Equal(LayerInitialization.Random, LayerInitialization.CopyTopLayers, LayerInitialization.CopyTopLayers);
        plan.Stages.Select(s => s.ResetOptimizerState).Should().Equal(false, false, false);
        plan.Stages.Select(s => s.Name).Should().Equal("depth-2", "depth-4", "depth-6");
        plan.TotalSteps.Should().Be(3000);
        plan.FinalDepth.Should().Be(6);
        plan.Schedule.PeakLearningRate.Should().Be(1e-3);
        plan.Schedule.Decay.Should().Be(LearningRateDecay.Cosine);
    }

    [Fact]
    public void Mslt_WithAFinalStageFraction_AddsAnAllLayersStageAtTheTargetDepth()
    {
        var settings = TwoToSix();
        settings.FinalStageFraction = 0.1;
        var plan = MultiStagePlans.Mslt(settings);

        plan.Stages.Select(s => s.Depth).Should().Equal(2, 4, 6, 6);
        plan.Stages.Select(s => s.Steps).Should().Equal(900, 900, 900, 300);
        var final = plan.Stages[^1];
        final.TrainableTopLayers.Should().BeNull();
        final.TrainableLayerCount.Should().Be(6);
        final.TrainEmbeddings.Should().BeTrue();
        final.TrainHead.Should().BeTrue();
        final.Name.Should().Be("depth-6-all-layers");
        plan.TotalSteps.Should().Be(3000);
    }

    [Fact]
    public void Mslt_PassesTheLaterStageOptionsThrough()
    {
        var settings = TwoToSix();
        settings.NewLayers = LayerInitialization.Random;
        settings.TrainEmbeddingsInLaterStages = true;
        settings.TrainHeadInLaterStages = false;
        settings.ResetOptimizerStateBetweenStages = true;
        var plan = MultiStagePlans.Mslt(settings);

        plan.Stages.Select(s => s.NewLayers).Should().AllBeEquivalentTo(LayerInitialization.Random);
        plan.Stages.Select(s => s.TrainEmbeddings).Should().Equal(true, true, true);
        plan.Stages.Select(s => s.TrainHead).Should().Equal(true, false, false);
        plan.Stages.Select(s => s.ResetOptimizerState).Should().Equal(false, true, true);
    }

    [Fact]
    public void Mslt_ProportionalAllocation_GivesDeeperStagesMoreSteps()
    {
        var settings = TwoToSix();
        settings.StepAllocation = StepAllocation.ProportionalToDepth;
        MultiStagePlans.Mslt(settings).Stages.Select(s => s.Steps).Should().Equal(500, 1000, 1500);

        settings.FinalStageFraction = 0.2;
        MultiStagePlans.Mslt(settings).Stages.Select(s => s.Steps).Should().Equal(400, 800, 1200, 600);
    }

    [Fact]
    public void Mslt_ExplicitFractions_AreUsedForTheGrowthStages()
    {
        var settings = TwoToSix();
        settings.StepAllocation = StepAllocation.Explicit;
        settings.ExplicitStepFractions = new List<double> { 0.5, 0.3, 0.2 };
        MultiStagePlans.Mslt(settings).Stages.Select(s => s.Steps).Should().Equal(1500, 900, 600);

        settings.FinalStageFraction = 0.5;
        MultiStagePlans.Mslt(settings).Stages.Select(s => s.Steps).Should().Equal(750, 450, 300, 1500);
    }

    [Theory]
    [InlineData(3001)]
    [InlineData(3002)]
    [InlineData(997)]
    [InlineData(7)]
    public void Remainders_AreDistributedDeterministically_AndTotalsAreExact(int total)
    {
        var equal = MultiStagePlans.Mslt(TwoToSix(total));
        equal.TotalSteps.Should().Be(total);
        equal.Stages.Select(s => s.Steps).Should().BeInDescendingOrder("remainders go to the earlier stages");
        (equal.Stages.Max(s => s.Steps) - equal.Stages.Min(s => s.Steps)).Should().BeLessThanOrEqualTo(1);
        MultiStagePlans.Mslt(TwoToSix(total)).Stages.Select(s => s.Steps).Should().Equal(equal.Stages.Select(s => s.Steps));

        var settings = TwoToSix(total);
        settings.StepAllocation = StepAllocation.ProportionalToDepth;
        settings.FinalStageFraction = 0.1;
        MultiStagePlans.Mslt(settings).TotalSteps.Should().Be(total);
    }

    [Fact]
    public void Remainder_GoesToTheFirstStage()
    {
        MultiStagePlans.Mslt(TwoToSix(3001)).Stages.Select(s => s.Steps).Should().Equal(1001, 1000, 1000);
        MultiStagePlans.Mslt(TwoToSix(3002)).Stages.Select(s => s.Steps).Should().Equal(1001, 1001, 1000);
    }

    [Fact]
    public void TinyBudgets_StillGiveEveryStageAStep()
    {
        var settings = TwoToSix(4);
        settings.Schedule.WarmupSteps = 0;
        settings.FinalStageFraction = 0.01;
        var plan = MultiStagePlans.Mslt(settings);
        plan.Stages.Select(s => s.Steps).Should().Equal(1, 1, 1, 1);
    }

    [Theory]
    [InlineData(3, 3, 9001)]
    [InlineData(2, 2, 10_000)]
    [InlineData(6, 3, 12_345)]
    [InlineData(1, 1, 37)]
    public void AllPlansOfAComparison_HaveExactlyTheSameTotalSteps(int start, int perStage, int total)
    {
        var schedule = new LearningRateScheduleSettings { WarmupSteps = 10 };
        var mslt = MultiStagePlans.Mslt(new MultiStagePlanSettings
        {
            StartDepth = start,
            LayersPerStage = perStage,
            TargetDepth = 12,
            TotalSteps = total,
            StepAllocation = StepAllocation.ProportionalToDepth,
            FinalStageFraction = 0.1,
            Schedule = schedule,
        });
        var stacking = MultiStagePlans.ProgressiveStacking(start, 12, total, schedule, StepAllocation.ProportionalToDepth);
        var stackingEqual = MultiStagePlans.ProgressiveStacking(start, 12, total, schedule);
        var baseline = MultiStagePlans.FullDepth(12, total, schedule);

        new[] { mslt, stacking, stackingEqual, baseline }.Select(p => p.TotalSteps).Should().AllBeEquivalentTo(total);
        new[] { mslt, stacking, stackingEqual, baseline }.Select(p => p.FinalDepth).Should().AllBeEquivalentTo(12);
    }

    [Fact]
    public void ProgressiveStacking_DoublesByCopying_AndTrainsEverything()
    {
        var plan = MultiStagePlans.ProgressiveStacking(3, 12, 3000);
        plan.Name.Should().Be("progressive-stacking");
        plan.Stages.Select(s => s.Depth).Should().Equal(3, 6, 12);
        plan.Stages.Select(s => s.Steps).Should().Equal(1000, 1000, 1000);
        plan.Stages.Select(s => s.TrainableTopLayers).Should().AllSatisfy(t => t.Should().BeNull());
        plan.Stages.Select(s => s.TrainableLayerCount).Should().Equal(3, 6, 12);
        plan.Stages.Should().AllSatisfy(s =>
        {
            s.TrainEmbeddings.Should().BeTrue();
            s.TrainHead.Should().BeTrue();
        });
        plan.Stages.Skip(1).Select(s => s.NewLayers).Should().AllBeEquivalentTo(LayerInitialization.CopyTopLayers);
    }

    [Fact]
    public void ProgressiveStacking_AddsOnlyWhatIsLeftInTheLastStage()
    {
        MultiStagePlans.ProgressiveStacking(2, 6, 600).Stages.Select(s => s.Depth).Should().Equal(2, 4, 6);
        MultiStagePlans.ProgressiveStacking(5, 12, 600).Stages.Select(s => s.Depth).Should().Equal(5, 10, 12);
        MultiStagePlans.ProgressiveStacking(4, 4, 600).Stages.Select(s => s.Depth).Should().Equal(4);
        MultiStagePlans.ProgressiveStacking(3, 12, 2100, allocation: StepAllocation.ProportionalToDepth).Stages.Select(s => s.Steps).Should().Equal(300, 600, 1200);
        MultiStagePlans.ProgressiveStacking(3, 12, 1000, allocation: StepAllocation.Explicit, explicitStepFractions: new[] { 0.2, 0.3, 0.5 })
            .Stages.Select(s => s.Steps).Should().Equal(200, 300, 500);
    }

    [Fact]
    public void FullDepth_IsTheOneStageBaseline()
    {
        var plan = MultiStagePlans.FullDepth(6, 3000, new LearningRateScheduleSettings { WarmupSteps = 30 });
        plan.Name.Should().Be("full-depth");
        plan.Stages.Should().ContainSingle().Which.Depth.Should().Be(6);
        plan.Stages[0].TrainableLayerCount.Should().Be(6);
        plan.Schedule.WarmupSteps.Should().Be(30);
        plan.TotalSteps.Should().Be(3000);
    }

    public static TheoryData<Action<MultiStagePlanSettings>, string, string> InvalidSettings => new()
    {
        { s => s.StartDepth = 0, "StartDepth", "*StartDepth must be ≥ 1*" },
        { s => s.LayersPerStage = 0, "LayersPerStage", "*LayersPerStage must be ≥ 1*" },
        { s => s.TargetDepth = 1, "TargetDepth", "*TargetDepth must be ≥ StartDepth (2)*" },
        { s => s.LayersPerStage = 3, "LayersPerStage", "*LayersPerStage must divide TargetDepth − StartDepth (6 − 2 = 4)*" },
        { s => { s.StartDepth = 1; s.LayersPerStage = 5; }, "LayersPerStage", "*LayersPerStage must be ≤ the current depth (1)*CopyTopLayers*" },
        { s => s.FinalStageFraction = 1, "FinalStageFraction", "*FinalStageFraction must be in [0, 1)*" },
        { s => s.FinalStageFraction = -0.1, "FinalStageFraction", "*FinalStageFraction must be in [0, 1)*" },
        { s => s.StepAllocation = StepAllocation.Explicit, "ExplicitStepFractions", "*ExplicitStepFractions must be set*" },
        { s => { s.StepAllocation = StepAllocation.Explicit; s.ExplicitStepFractions = new() { 0.5, 0.5 }; }, "ExplicitStepFractions", "*has 2 fractions but the plan has 3 growth stages*" },
        { s => { s.StepAllocation = StepAllocation.Explicit; s.ExplicitStepFractions = new() { 0.5, 0.3, 0.3 }; }, "ExplicitStepFractions", "*must add up to 1 (they add up to 1.1*" },
        { s => { s.StepAllocation = StepAllocation.Explicit; s.ExplicitStepFractions = new() { 1.2, -0.1, -0.1 }; }, "ExplicitStepFractions", "*every fraction must be*> 0*" },
        { s => { s.TotalSteps = 2; s.Schedule.WarmupSteps = 0; }, "TotalSteps", "*TotalSteps must be ≥ the number of stages (3)*" },
        { s => s.Schedule.WarmupSteps = 3001, "Schedule.WarmupSteps", "*Schedule.WarmupSteps must be in [0, TotalSteps (3000)]*" },
        { s => s.Schedule.PeakLearningRate = 0, "Schedule.PeakLearningRate", "*PeakLearningRate must be a finite number > 0*" },
        { s => s.Schedule.FinalFraction = 2, "Schedule.FinalFraction", "*FinalFraction must be in [0, 1]*" },
    };

    [Theory]
    [MemberData(nameof(InvalidSettings))]
    public void InvalidSettings_AreRejectedNamingTheOption(Action<MultiStagePlanSettings> change, string option, string message)
    {
        var settings = TwoToSix();
        change(settings);
        var act = () => MultiStagePlans.Mslt(settings);
        act.Should().Throw<ArgumentException>().WithMessage(message).Which.ParamName.Should().Be(option);
    }

    [Fact]
    public void MissingSettings_AreNamed_NotANullReference()
    {
        var options = new MultiStageBertOptions { Stages = null! };
        options.Invoking(o => o.Validate()).Should().Throw<ArgumentNullException>()
            .WithMessage("MultiStageBertOptions.Stages must be set*").Which.ParamName.Should().Be("Stages");
        var noSchedule = new MultiStagePlanSettings { Schedule = null! };
        FluentActions.Invoking(() => new MsltSearchSpace(noSchedule)).Should().Throw<ArgumentNullException>()
            .WithMessage("MultiStagePlanSettings.Schedule must be set*").Which.ParamName.Should().Be("Schedule");
    }

    [Fact]
    public void RandomNewLayers_MayAddMoreLayersThanExist()
    {
        var settings = new MultiStagePlanSettings { StartDepth = 1, LayersPerStage = 5, TargetDepth = 11, TotalSteps = 300, NewLayers = LayerInitialization.Random, Schedule = { WarmupSteps = 0 } };
        MultiStagePlans.Mslt(settings).Stages.Select(s => s.Depth).Should().Equal(1, 6, 11);
    }

    [Fact]
    public void StartAtTheTarget_IsOneStage()
    {
        var settings = new MultiStagePlanSettings { StartDepth = 4, LayersPerStage = 3, TargetDepth = 4, TotalSteps = 50, Schedule = { WarmupSteps = 0 } };
        MultiStagePlans.Mslt(settings).Stages.Should().ContainSingle().Which.TrainableLayerCount.Should().Be(4);
    }

    [Fact]
    public void InvalidProgressiveStacking_IsRejectedNamingTheArgument()
    {
        FluentActions.Invoking(() => MultiStagePlans.ProgressiveStacking(0, 6, 100)).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("startDepth");
        FluentActions.Invoking(() => MultiStagePlans.ProgressiveStacking(4, 2, 100)).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("targetDepth");
        FluentActions.Invoking(() => MultiStagePlans.ProgressiveStacking(3, 12, 2, new LearningRateScheduleSettings { WarmupSteps = 0 })).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("totalSteps");
        FluentActions.Invoking(() => MultiStagePlans.ProgressiveStacking(3, 12, 100, allocation: StepAllocation.Explicit, explicitStepFractions: new[] { 1.0 }))
            .Should().Throw<ArgumentException>().Which.ParamName.Should().Be("explicitStepFractions");
    }

    [Fact]
    public void GeneratedPlans_RoundTripThroughJson()
    {
        var settings = TwoToSix(3001);
        settings.FinalStageFraction = 0.1;
        settings.StepAllocation = StepAllocation.ProportionalToDepth;
        settings.NewLayers = LayerInitialization.Random;
        foreach (var plan in new[] { MultiStagePlans.Mslt(settings), MultiStagePlans.ProgressiveStacking(3, 12, 3001), MultiStagePlans.FullDepth(12, 3001) })
        {
            var back = TrainingPlan.FromJson(plan.ToJson());
            back.Should().BeEquivalentTo(plan);
            back.ToJson().Should().Be(plan.ToJson());
        }
    }

    [Fact]
    public void Mslt_DoesNotModifyOrShareTheSettings()
    {
        var settings = TwoToSix();
        var plan = MultiStagePlans.Mslt(settings);
        plan.Schedule.Should().NotBeSameAs(settings.Schedule);
        settings.Schedule.PeakLearningRate = 0.5;
        plan.Schedule.PeakLearningRate.Should().Be(1e-3);
    }

    [Fact]
    public void Clone_IsDeep()
    {
        var settings = TwoToSix();
        settings.ExplicitStepFractions = new() { 0.2, 0.8 };
        var copy = settings.Clone();
        copy.Should().BeEquivalentTo(settings);
        copy.Schedule.Should().NotBeSameAs(settings.Schedule);
        copy.ExplicitStepFractions.Should().NotBeSameAs(settings.ExplicitStepFractions);
    }
}
