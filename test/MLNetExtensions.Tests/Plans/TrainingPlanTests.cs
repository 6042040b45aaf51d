using MLNetExtensions.Estimators.Plans;
using MLNetExtensions.Estimators.Training;
using MLNetExtensions.Transforms.Bert;

namespace MLNetExtensions.Tests.Plans;

public sealed class TrainingPlanTests
{
    private static TrainingPlan TwoStages() => new()
    {
        Name = "grow",
        Schedule = new LearningRateScheduleSettings { PeakLearningRate = 1e-3, WarmupSteps = 10, Decay = LearningRateDecay.Cosine },
        Stages =
        {
            new TrainingStage { Name = "s0", Depth = 2, Steps = 50 },
            new TrainingStage { Name = "s1", Depth = 4, Steps = 70, TrainableTopLayers = 2, TrainEmbeddings = false, NewLayers = LayerInitialization.Random },
        },
    };

    [Fact]
    public void Json_RoundTripsEverySetting()
    {
        var plan = TwoStages();
        string json = plan.ToJson();
        json.Should().Contain("\"Cosine\"").And.Contain("\"Random\"");
        var back = TrainingPlan.FromJson(json);
        back.Should().BeEquivalentTo(plan);
        back.TotalSteps.Should().Be(120);
        back.FinalDepth.Should().Be(4);
        back.Stages[1].TrainableLayerCount.Should().Be(2);
        back.Stages[0].TrainableLayerCount.Should().Be(2);
    }

    [Fact]
    public void Relaxation_RoundTripsThroughJson_IsLeftOutWhenNull_AndBadValuesAreRejected()
    {
        TwoStages().ToJson().Should().NotContain("Relaxation");
        var plan = TwoStages();
        plan.Relaxation = new BertRelaxation { Attention = FastAttentionKind.LowRankProjection, FeedForwardRank = 12, ProjectedLength = 7 };
        string json = plan.ToJson();
        json.Should().Contain("\"LowRankProjection\"").And.Contain("\"feed_forward_rank\": 12");
        TrainingPlan.FromJson(json).Relaxation.Should().Be(plan.Relaxation);

        plan.Relaxation = plan.Relaxation with { FeedForwardRank = 0 };
        plan.Invoking(p => p.Validate()).Should().Throw<ArgumentOutOfRangeException>().WithParameterName(nameof(BertRelaxation.FeedForwardRank));
        plan.Relaxation = plan.Relaxation with { FeedForwardRank = 4, ProjectedLength = 0 };
        plan.Invoking(p => p.Validate()).Should().Throw<ArgumentOutOfRangeException>().WithParameterName(nameof(BertRelaxation.ProjectedLength));
    }

    [Fact]
    public void FullDepth_IsOneStageTrainingEverything()
    {
        var plan = TrainingPlan.FullDepth(6, 300);
        plan.Stages.Should().ContainSingle();
        plan.Stages[0].TrainableTopLayers.Should().BeNull();
        plan.Stages[0].TrainEmbeddings.Should().BeTrue();
        plan.Stages[0].TrainHead.Should().BeTrue();
        plan.TotalSteps.Should().Be(300);
    }

    [Fact]
    public void AShrinkingStage_IsRejectedNamingTheStage()
    {
        var plan = TwoStages();
        plan.Stages[1].Depth = 1;
        var act = () => plan.Validate();
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*stage 1 ('s1')*Depth 1*below*");
    }

    [Theory]
    [InlineData(0, 10)]
    [InlineData(2, 0)]
    public void ZeroDepthOrSteps_AreRejected(int depth, int steps)
    {
        var plan = TrainingPlan.FullDepth(depth, steps);
        plan.Schedule.WarmupSteps = 0;
        var act = () => plan.Validate();
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage(depth == 0 ? "*Depth must be at least 1*" : "*Steps must be positive*");
    }

    [Fact]
    public void ANegativeStepCount_IsReportedAsSuch_NotAsAWarmupProblem()
    {
        var act = () => MultiStagePlans.FullDepth(1, -3);
        act.Should().Throw<ArgumentOutOfRangeException>()
            .Where(e => e.ParamName == nameof(TrainingStage.Steps) && e.Message.Contains("Steps must be positive") && e.Message.Contains("-3"));
    }

    [Fact]
    public void WarmupLongerThanThePlan_IsRejected()
    {
        var plan = TrainingPlan.FullDepth(2, 10);
        plan.Schedule.WarmupSteps = 11;
        var act = () => plan.Validate();
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*Schedule.WarmupSteps must be in [0, the plan's steps (10)] (was 11)*");
    }

    [Fact]
    public void CopyingMoreLayersThanExist_IsRejectedBeforeTraining_NamingTheStageAndWhatWouldDo()
    {
        var plan = new TrainingPlan
        {
            Name = "leap",
            Schedule = { WarmupSteps = 0 },
            Stages =
            {
                new TrainingStage { Name = "s0", Depth = 1, Steps = 4 },
                new TrainingStage { Name = "s1", Depth = 3, Steps = 4, TrainableTopLayers = 2 },
            },
        };

        plan.Invoking(p => p.Validate()).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("Plan 'leap', stage 1 ('s1'): NewLayers CopyTopLayers can copy at most the 1 existing layers, so Depth may grow from 1 to at most 2 (was 3)*NewLayers Random*")
            .Which.ParamName.Should().Be(nameof(TrainingStage.NewLayers));
        plan.Stages[1].NewLayers = LayerInitialization.Random;
        plan.Invoking(p => p.Validate()).Should().NotThrow();
        plan.Stages[1].NewLayers = LayerInitialization.CopyTopLayers;
        plan.Stages[1].Depth = 2;
        plan.Invoking(p => p.Validate()).Should().NotThrow();
    }

    [Theory]
    [InlineData("""{ "Stages": null }""", "*Plan 'plan' has no stages*Stages*")]
    [InlineData("""{ "Stages": [ null ] }""", "*Plan 'plan', stage 0 is null*Stages*")]
    [InlineData("""{ "Stages": [ { "Depth": 1, "Steps": 4 } ], "Schedule": null }""", "*Plan 'plan': Schedule must be set*")]
    [InlineData("""{ "Stages": [ { "Depth": 1, "Steps": 4, "Architecture": 7 } ], "Schedule": { "WarmupSteps": 0 } }""", "*stage 0 ('stage'): Architecture must be Full or Relaxed (was 7)*")]
    [InlineData("""{ "Stages": [ { "Depth": 1, "Steps": 4 }, { "Depth": 2, "Steps": 4, "NewLayers": 9 } ], "Schedule": { "WarmupSteps": 0 } }""", "*stage 1 ('stage'): NewLayers must be CopyTopLayers or Random (was 9)*")]
    [InlineData("""{ "Stages": [ { "Depth": 1, "Steps": 4 } ], "Schedule": { "WarmupSteps": 0, "Decay": 9 } }""", "*Plan 'plan': Schedule.Decay must be one of None, Linear, Cosine (was 9)*")]
    public void BadJson_IsAnInvalidDataExceptionNamingTheField(string json, string message)
    {
        var act = () => TrainingPlan.FromJson(json);
        act.Should().Throw<InvalidDataException>().WithMessage("Not a valid training plan: " + message).WithInnerException<ArgumentException>();
    }

    public static TheoryData<Action<TrainingPlan>, string, string> NonFiniteSchedules => new()
    {
        { p => p.Schedule.PeakLearningRate = double.PositiveInfinity, "Schedule.PeakLearningRate", "Plan 'grow': Schedule.PeakLearningRate must be a finite number > 0 (was *)*" },
        { p => p.Schedule.FinalFraction = double.NaN, "Schedule.FinalFraction", "Plan 'grow': Schedule.FinalFraction must be in [0, 1] (was NaN)*" },
        { p => p.Stages[1].Schedule = new() { WarmupSteps = 0, FinalFraction = double.NaN }, "Schedule.FinalFraction", "Plan 'grow', stage 1 ('s1'): Schedule.FinalFraction must be in [0, 1] (was NaN)*" },
    };

    [Theory]
    [MemberData(nameof(NonFiniteSchedules))]
    public void NonFiniteScheduleNumbers_AreRejectedNamingTheField(Action<TrainingPlan> change, string field, string message)
    {
        var plan = TwoStages();
        change(plan);
        plan.Invoking(p => p.Validate()).Should().Throw<ArgumentOutOfRangeException>().WithMessage(message).Which.ParamName.Should().Be(field);
    }

    [Fact]
    public void InvalidJson_GivesAClearError()
    {
        var act = () => TrainingPlan.FromJson("{ \"Stages\": 3 }");
        act.Should().Throw<InvalidDataException>().WithMessage("Not a training plan*");
    }
}
