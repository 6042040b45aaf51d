using MLNetExtensions.Estimators.Training;

namespace MLNetExtensions.Tests.Training;

public sealed class LearningRateScheduleTests
{
    [Fact]
    public void Warmup_RisesLinearly_FromFirstUpdate_ToPeakAtLastWarmupUpdate()
    {
        var schedule = new LearningRateSchedule(0.1, totalSteps: 100, warmupSteps: 10, LearningRateDecay.Linear);

        schedule.LearningRateAt(0).Should().BeApproximately(0.01, 1e-12);
        schedule.LearningRateAt(4).Should().BeApproximately(0.05, 1e-12);
        schedule.LearningRateAt(9).Should().BeApproximately(0.1, 1e-12);
    }

    [Fact]
    public void Linear_DecaysFromPeakToFinalFraction()
    {
        var schedule = new LearningRateSchedule(1.0, totalSteps: 110, warmupSteps: 10, LearningRateDecay.Linear, finalFraction: 0.1);

        schedule.FactorAt(10).Should().BeApproximately(1.0, 1e-12);
        schedule.FactorAt(60).Should().BeApproximately(0.1 + 0.9 * 0.5, 1e-12);
        schedule.FactorAt(109).Should().BeApproximately(0.1 + 0.9 * 0.01, 1e-12);
        schedule.FactorAt(110).Should().BeApproximately(0.1, 1e-12);
        schedule.FactorAt(500).Should().BeApproximately(0.1, 1e-12);
    }

    [Fact]
    public void Cosine_FollowsHalfCosine()
    {
        var schedule = new LearningRateSchedule(2.0, totalSteps: 100, warmupSteps: 0, LearningRateDecay.Cosine);

        schedule.LearningRateAt(0).Should().BeApproximately(2.0, 1e-12);
        schedule.LearningRateAt(25).Should().BeApproximately(2.0 * 0.5 * (1 + Math.Cos(Math.PI * 0.25)), 1e-12);
        schedule.LearningRateAt(50).Should().BeApproximately(1.0, 1e-12);
        schedule.LearningRateAt(99).Should().BeApproximately(2.0 * 0.5 * (1 + Math.Cos(Math.PI * 0.99)), 1e-12);
    }

    [Fact]
    public void NoDecay_StaysAtPeakAfterWarmup()
    {
        var schedule = new LearningRateSchedule(0.5, totalSteps: 20, warmupSteps: 4, LearningRateDecay.None);

        schedule.LearningRateAt(1).Should().BeApproximately(0.25, 1e-12);
        schedule.LearningRateAt(4).Should().Be(0.5);
        schedule.LearningRateAt(19).Should().Be(0.5);
    }

    [Fact]
    public void WarmupLongerThanTraining_IsRejected_NamingWarmup()
    {
        var act = () => new LearningRateSchedule(0.1, totalSteps: 5, warmupSteps: 6);

        act.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("warmupSteps");
    }
}
