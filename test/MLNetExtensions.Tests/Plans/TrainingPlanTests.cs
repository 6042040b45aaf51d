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
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*warm-up*10 steps*");
    }

    [Fact]
    public void InvalidJson_GivesAClearError()
    {
        var act = () => TrainingPlan.FromJson("{ \"Stages\": 3 }");
        act.Should().Throw<InvalidDataException>().WithMessage("Not a training plan*");
    }
}
