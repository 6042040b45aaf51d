using MLNetExtensions.Estimators.Plans;

namespace MLNetExtensions.Tests.Plans;

public sealed class PlanBudgetTests
{
    private static TrainingPlan Proportional() => MultiStagePlans.Mslt(new MultiStagePlanSettings
    {
        StartDepth = 2,
        LayersPerStage = 2,
        TargetDepth = 6,
        TotalSteps = 3000,
        StepAllocation = StepAllocation.ProportionalToDepth,
        Schedule = { WarmupSteps = 90 },
    });

    [Fact]
    public void Scale_KeepsStageProportions_AndScalesWarmup()
    {
        var plan = Proportional();
        var third = PlanBudget.Scale(plan, 1.0 / 3);
        third.Stages.Select(s => s.Steps).Should().Equal(167, 333, 500);
        third.TotalSteps.Should().Be(1000);
        third.Schedule.WarmupSteps.Should().Be(30);
        third.Stages.Select(s => s.Depth).Should().Equal(2, 4, 6);
        third.Stages.Select(s => s.TrainableTopLayers).Should().Equal(plan.Stages.Select(s => s.TrainableTopLayers));
        third.Name.Should().Be(plan.Name);
        third.Validate();
        plan.TotalSteps.Should().Be(3000, "the original is not modified");
    }

    [Fact]
    public void Scale_OfACoRePlan_KeepsItsRelaxation_AndScalesTheFullPhasesOwnWarmup()
    {
        var plan = CoRePlans.Build(new CoRePlanSettings
        {
            Depth = 4,
            RelaxedSteps = 600,
            FullSteps = 300,
            FeedForwardRank = 8,
            RelaxedSchedule = new LearningRateScheduleSettings { WarmupSteps = 60 },
            FullSchedule = new LearningRateScheduleSettings { WarmupSteps = 90 },
        });

        var third = PlanBudget.Scale(plan, 1.0 / 3);

        third.Stages.Select(s => s.Steps).Should().Equal(200, 100);
        third.Schedule.WarmupSteps.Should().Be(20);
        third.Stages[1].Schedule!.WarmupSteps.Should().Be(30);
        third.Relaxation.Should().Be(plan.Relaxation).And.NotBeNull();
        third.Validate();
        plan.Stages[1].Schedule!.WarmupSteps.Should().Be(90, "the original's stage schedule is not modified");
    }

    [Fact]
    public void Scale_CapsTheRelaxedPhasesWarmup_AtItsOwnScaledSteps()
    {
        var plan = new CoRePlanSettings
        {
            Depth = 1,
            RelaxedSteps = 5,
            FullSteps = 1,
            RelaxedSchedule = new LearningRateScheduleSettings { WarmupSteps = 5 },
            FullSchedule = new LearningRateScheduleSettings { WarmupSteps = 1 },
        }.BuildPlan();

        var third = PlanBudget.Scale(plan, 1.0 / 3);

        third.Stages.Select(s => s.Steps).Should().Equal(1, 1);
        third.Schedule.WarmupSteps.Should().Be(1, "round(5 / 3) = 2 warm-up steps do not fit in the relaxed phase's 1 step");
        third.Invoking(p => p.Validate()).Should().NotThrow();
    }

    [Fact]
    public void Scale_ByOne_IsAnEqualCopy()
    {
        var plan = Proportional();
        var copy = PlanBudget.Scale(plan, 1);
        copy.Should().BeEquivalentTo(plan);
        copy.Should().NotBeSameAs(plan);
        copy.Stages[0].Should().NotBeSameAs(plan.Stages[0]);
        copy.Schedule.Should().NotBeSameAs(plan.Schedule);
    }

    [Fact]
    public void Scale_KeepsAStepPerStage()
    {
        var scaled = PlanBudget.Scale(Proportional(), 1e-6);
        scaled.Stages.Select(s => s.Steps).Should().Equal(1, 1, 1);
        scaled.Schedule.WarmupSteps.Should().Be(0);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void Scale_RejectsFractionsOutsideZeroToOne(double fraction)
    {
        FluentActions.Invoking(() => PlanBudget.Scale(Proportional(), fraction)).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("fraction");
    }
}
