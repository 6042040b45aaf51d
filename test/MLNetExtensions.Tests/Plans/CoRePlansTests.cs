using MLNetExtensions.Estimators.Plans;
using MLNetExtensions.Estimators.Sweeps;

namespace MLNetExtensions.Tests.Plans;

public sealed class CoRePlansTests
{
    /// <summary>CoRe + MSLT: relaxed depths 2, 4, 6 over 700 steps, then 300 full steps.</summary>
    private static CoRePlanSettings Grown() => new()
    {
        Depth = 6,
        RelaxedSteps = 700,
        FullSteps = 300,
        RelaxedGrowth = new MultiStagePlanSettings { StartDepth = 2, LayersPerStage = 2 },
    };

    public static TheoryData<Action<CoRePlanSettings>, string, string> InvalidGrowth => new()
    {
        { s => s.Depth = 1, "Depth", "CoRePlanSettings.Depth must be ≥ RelaxedGrowth.StartDepth (2) (was 1)*" },
        { s => s.Depth = 5, "RelaxedGrowth.LayersPerStage", "CoRePlanSettings.RelaxedGrowth.LayersPerStage must divide Depth − RelaxedGrowth.StartDepth (5 − 2 = 3)*" },
        { s => { s.RelaxedSteps = 2; s.RelaxedSchedule.WarmupSteps = 0; }, "RelaxedSteps", "CoRePlanSettings.RelaxedSteps must be ≥ the number of stages (3)*" },
        { s => s.RelaxedSchedule.WarmupSteps = 701, "RelaxedSchedule.WarmupSteps", "CoRePlanSettings.RelaxedSchedule.WarmupSteps must be in [0, RelaxedSteps (700)] (was 701)*" },
        { s => s.RelaxedGrowth!.FinalStageFraction = 1, "RelaxedGrowth.FinalStageFraction", "CoRePlanSettings.RelaxedGrowth.FinalStageFraction must be in [0, 1)*" },
    };

    [Theory]
    [MemberData(nameof(InvalidGrowth))]
    public void RelaxedGrowthErrors_NameTheCoReSettings(Action<CoRePlanSettings> change, string option, string message)
    {
        var settings = Grown();
        change(settings);
        foreach (var act in new Action[] { () => settings.Validate(), () => CoRePlans.Build(settings) })
        {
            act.Should().Throw<ArgumentException>().WithMessage(message).Which.ParamName.Should().Be(option);
        }
    }

    [Fact]
    public void MissingSchedules_AreNamed_NotANullReference()
    {
        var noRelaxed = new CoRePlanSettings { RelaxedSchedule = null! };
        FluentActions.Invoking(() => new CoReSearchSpace(noRelaxed)).Should().Throw<ArgumentNullException>()
            .WithMessage("CoRePlanSettings.RelaxedSchedule must be set*").Which.ParamName.Should().Be("RelaxedSchedule");
        noRelaxed.Invoking(s => s.Validate()).Should().Throw<ArgumentNullException>().Which.ParamName.Should().Be("RelaxedSchedule");
        var noFull = new CoRePlanSettings { FullSchedule = null! };
        FluentActions.Invoking(() => CoRePlans.Build(noFull)).Should().Throw<ArgumentNullException>()
            .WithMessage("CoRePlanSettings.FullSchedule must be set*").Which.ParamName.Should().Be("FullSchedule");
        noFull.Clone().FullSchedule.Should().BeNull("a copy keeps the gap for validation to name");
    }

    [Fact]
    public void Build_CopiesTheSchedules()
    {
        foreach (var settings in new[] { new CoRePlanSettings(), Grown() })
        {
            var plan = CoRePlans.Build(settings);
            plan.Schedule.Should().NotBeSameAs(settings.RelaxedSchedule).And.BeEquivalentTo(settings.RelaxedSchedule);
            plan.Stages[^1].Schedule.Should().NotBeSameAs(settings.FullSchedule).And.BeEquivalentTo(settings.FullSchedule);
            settings.RelaxedSchedule.PeakLearningRate = 0.5;
            settings.FullSchedule.WarmupSteps = 0;
            plan.Schedule.PeakLearningRate.Should().Be(1e-3, "a later change to the settings leaves the plan as built");
            plan.Stages[^1].Schedule!.WarmupSteps.Should().Be(30);
        }
    }
}
