using MLNetExtensions.Estimators.Plans;
using MLNetExtensions.Estimators.Sweeps;

namespace MLNetExtensions.Tests.Sweeps;

public sealed class FailureAndCancellationTests
{
    private static MsltSearchSpace SixRates() => new(new MultiStagePlanSettings { StartDepth = 2, LayersPerStage = 2, TargetDepth = 6, TotalSteps = 600, Schedule = { WarmupSteps = 0 } })
    {
        PeakLearningRate = SearchDimension.Choice(1e-4, 2e-4, 3e-4, 4e-4, 5e-4, 6e-4),
    };

    [Fact]
    public void AThrowingTrial_IsRecordedAsFailed_AndTheSweepGoesOn()
    {
        var runner = new FakeTrialRunner
        {
            BeforeRun = (request, _) =>
            {
                if (request.TrialId == 2)
                {
                    throw new InvalidOperationException("CUDA out of memory");
                }
            },
        };

        var result = new GridSearch().Run("failing", SixRates(), runner);

        runner.Requests.Should().HaveCount(6);
        var failed = result.Trials[1];
        failed.Id.Should().Be(2);
        failed.Status.Should().Be(TrialStatus.Failed);
        failed.Message.Should().Be("InvalidOperationException: CUDA out of memory");
        failed.ValidationLoss.Should().BeNull();
        failed.StepsRun.Should().Be(0);
        failed.Rank.Should().BeNull();
        result.Trials.Where(t => t.Id != 2).Should().OnlyContain(t => t.Status == TrialStatus.Completed);
        result.Ranking.Should().HaveCount(5).And.NotContain(failed);
        result.Best!.Settings.Schedule.PeakLearningRate.Should().Be(3e-4);
        result.Cancelled.Should().BeFalse();
    }

    [Fact]
    public void NonFiniteLosses_AndRunnersThatThrowCancellationOnTheirOwn_AreFailures()
    {
        var runner = new DelegateTrialRunner((request, _) => request.TrialId switch
        {
            1 => new TrialOutcome { ValidationLoss = double.NaN, StepsRun = 600 },
            2 => throw new OperationCanceledException("the runner gave up"),
            _ => new TrialOutcome { ValidationLoss = request.TrialId, StepsRun = 600 },
        });

        var result = new GridSearch().Run("odd", SixRates(), runner);

        result.Trials.Should().HaveCount(6);
        result.Trials[0].Status.Should().Be(TrialStatus.Failed);
        result.Trials[0].Message.Should().Contain("not a finite number");
        result.Trials[1].Status.Should().Be(TrialStatus.Failed);
        result.Trials[1].Message.Should().Be("OperationCanceledException: the runner gave up");
        result.Ranking.Select(t => t.Id).Should().Equal(3, 4, 5, 6);
        result.Cancelled.Should().BeFalse();
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(-1.0)]
    public void InvalidWallSeconds_FailTheTrialNamingIt_AndTheSweepStillWritesItsJson(double seconds)
    {
        var runner = new DelegateTrialRunner((request, _) => new TrialOutcome
        {
            ValidationLoss = request.TrialId,
            StepsRun = 600,
            WallSeconds = request.TrialId == 2 ? seconds : 1,
        });

        var result = new GridSearch().Run("seconds", SixRates(), runner);

        var failed = result.Trials[1];
        failed.Status.Should().Be(TrialStatus.Failed);
        failed.Message.Should().Match("Trial 2: *TrialOutcome.WallSeconds must be a finite number ≥ 0*");
        double.IsFinite(failed.Seconds).Should().BeTrue("the call is timed instead");
        result.Ranking.Select(t => t.Id).Should().Equal(1, 3, 4, 5, 6);
        result.Invoking(r => r.ToJson()).Should().NotThrow();
    }

    [Fact]
    public void CancellingDuringATrial_StopsCleanly_AndReturnsTheTrialsSoFar()
    {
        using var cancellation = new CancellationTokenSource();
        var runner = new FakeTrialRunner
        {
            BeforeRun = (request, token) =>
            {
                if (request.TrialId == 3)
                {
                    cancellation.Cancel();
                    token.ThrowIfCancellationRequested();
                }
            },
        };
        var reports = new List<SweepTrial<MultiStagePlanSettings>>();

        var result = new GridSearch().Run("cancelled", SixRates(), runner, new SynchronousProgress(reports.Add), cancellation.Token);

        result.Cancelled.Should().BeTrue();
        runner.Requests.Select(r => r.TrialId).Should().Equal(1, 2, 3);
        result.Trials.Select(t => (t.Id, t.Status)).Should().Equal((1, TrialStatus.Completed), (2, TrialStatus.Completed), (3, TrialStatus.Cancelled));
        result.Ranking.Select(t => t.Id).Should().Equal(2, 1);
        result.CandidateCount.Should().Be(6);
        reports.Select(r => (r.Id, r.Status)).Should().Equal((1, TrialStatus.Completed), (2, TrialStatus.Completed), (3, TrialStatus.Cancelled));
    }

    [Fact]
    public void ATrialCancelledAfterACompletedRung_ShowsTheRungItIsRankedBy()
    {
        using var cancellation = new CancellationTokenSource();
        var runner = new DelegateTrialRunner((request, token) =>
        {
            if (request.Rung == 1)
            {
                cancellation.Cancel();
                token.ThrowIfCancellationRequested();
            }

            return new TrialOutcome { ValidationLoss = 10 - request.TrialId, StepsRun = request.Plan.TotalSteps };
        });

        var result = new SuccessiveHalving(new GridSearch(), eta: 3, minBudgetFraction: 1.0 / 3).Run("halving", SixRates(), runner, cancellationToken: cancellation.Token);

        result.Cancelled.Should().BeTrue();
        // The trial whose rung-1 run was cancelled (the other promoted ones are cancelled before starting it).
        var cancelled = result.Trials.Single(t => t.History.Count == 2);
        cancelled.Status.Should().Be(TrialStatus.Cancelled);
        cancelled.History.Select(r => (r.Rung, r.Status)).Should().Equal((0, TrialStatus.Completed), (1, TrialStatus.Cancelled));
        cancelled.Rank.Should().NotBeNull("its completed rung ranks it");
        cancelled.Rung.Should().Be(0);
        cancelled.ValidationLoss.Should().Be(10 - cancelled.Id, "the figures shown are those of the run that ranks the trial");
        cancelled.StepsRun.Should().Be(cancelled.History.Sum(r => r.StepsRun));
    }

    [Fact]
    public void CancellingBetweenTrials_StartsNoFurtherTrial()
    {
        using var cancellation = new CancellationTokenSource();
        var runner = new FakeTrialRunner
        {
            BeforeRun = (request, _) =>
            {
                if (request.TrialId == 2)
                {
                    cancellation.Cancel();
                }
            },
        };

        var result = new RandomSearch(6, seed: 1).Run("between", SixRates(), runner, cancellationToken: cancellation.Token);

        result.Cancelled.Should().BeTrue();
        result.Trials.Should().HaveCount(2).And.OnlyContain(t => t.Status == TrialStatus.Completed, "trial 2 finished before the sweep noticed");
    }

    [Fact]
    public void CancellingBeforeTheStart_RunsNothing()
    {
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();
        var runner = new FakeTrialRunner();
        var result = new GridSearch().Run("none", SixRates(), runner, cancellationToken: cancellation.Token);
        runner.Requests.Should().BeEmpty();
        result.Cancelled.Should().BeTrue();
        result.Trials.Should().BeEmpty();
        result.Best.Should().BeNull();
        result.BestSettings.Should().BeNull();
        result.ToJson().Should().Contain("\"best\": null");
    }

    [Fact]
    public void CancellingDuringHalving_KeepsDecidedTrials_AndMarksTheOthersCancelled()
    {
        using var cancellation = new CancellationTokenSource();
        var space = SixRates();
        space.PeakLearningRate = SearchDimension.Choice(1e-4, 2e-4, 3e-4, 4e-4, 5e-4, 6e-4, 7e-4, 8e-4, 9e-4);
        var runner = new FakeTrialRunner
        {
            BeforeRun = (request, token) =>
            {
                if (request.Rung == 1 && request.TrialId == 4)
                {
                    cancellation.Cancel();
                    token.ThrowIfCancellationRequested();
                }
            },
        };

        var result = new SuccessiveHalving(new GridSearch(), eta: 3, minBudgetFraction: 1.0 / 9).Run("halving", space, runner, cancellationToken: cancellation.Token);

        // Rung 0 keeps 2, 3, 4 (closest to 3e-4); rung 1 runs 2 and 3, then 4 is cancelled.
        result.Cancelled.Should().BeTrue();
        result.Trials.Where(t => t.Status == TrialStatus.StoppedEarly).Select(t => t.Id).Should().Equal(1, 5, 6, 7, 8, 9);
        result.Trials.Where(t => t.Status == TrialStatus.Cancelled).Select(t => t.Id).Should().Equal(2, 3, 4);
        result.Best!.Id.Should().Be(3, "it has the lowest loss at the highest rung completed");
        result.Ranking.Select(t => t.Id).Take(3).Should().Equal(3, 2, 4);
        runner.Requests.Should().NotContain(r => r.Rung == 2);
    }

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class SynchronousProgress(Action<SweepTrial<MultiStagePlanSettings>> report) : IProgress<SweepTrial<MultiStagePlanSettings>>
    {
        public void Report(SweepTrial<MultiStagePlanSettings> value) => report(value);
    }
}
