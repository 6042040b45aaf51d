using MLNetExtensions.Estimators.Plans;
using MLNetExtensions.Estimators.Sweeps;

namespace MLNetExtensions.Tests.Sweeps;

public sealed class SuccessiveHalvingTests
{
    /// <summary>The base loss of each peak learning rate; ids follow this order (grid search keeps choice order).</summary>
    private static readonly (double Rate, double Loss)[] Rates =
    {
        (1e-4, 3.0), (2e-4, 2.5), (3e-4, 2.0), (4e-4, 2.2), (5e-4, 2.4), (6e-4, 2.6), (7e-4, 2.8), (8e-4, 3.0), (9e-4, 3.2),
    };

    private static MsltSearchSpace NineRates() => new(new MultiStagePlanSettings
    {
        StartDepth = 2,
        LayersPerStage = 2,
        TargetDepth = 6,
        TotalSteps = 900,
        StepAllocation = StepAllocation.ProportionalToDepth,
        Schedule = { WarmupSteps = 90 },
    })
    {
        PeakLearningRate = SearchDimension.Choice(Rates.Select(r => r.Rate).ToArray()),
    };

    private static FakeTrialRunner TableRunner() =>
        new(request => Rates.Single(r => r.Rate == (double)request.Values["PeakLearningRate"]).Loss);

    [Fact]
    public void Rungs_GrowByEta_UpToTheFullBudget()
    {
        var halving = new SuccessiveHalving(new GridSearch(), eta: 3, minBudgetFraction: 1.0 / 9);
        halving.RungBudgets.Should().Equal(1.0 / 9, 1.0 / 3, 1.0);
        new SuccessiveHalving(new GridSearch(), eta: 2, minBudgetFraction: 0.1).RungBudgets.Should().Equal(0.125, 0.25, 0.5, 1.0);
        new SuccessiveHalving(new GridSearch(), eta: 3, minBudgetFraction: 1).RungBudgets.Should().Equal(1.0);
        halving.Description.Should().Be("successive-halving(eta=3, budgets=[0.1111, 0.3333, 1]) of grid(pointsPerRange=3)");
        FluentActions.Invoking(() => new SuccessiveHalving(new GridSearch(), eta: 1)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new SuccessiveHalving(new GridSearch(), minBudgetFraction: 0)).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void PoorCandidatesStopEarly_AndTheBestGetsTheFullBudget()
    {
        var runner = TableRunner();
        var result = new SuccessiveHalving(new GridSearch(), eta: 3, minBudgetFraction: 1.0 / 9).Run("halving", NineRates(), runner);

        // Rung 0 (1/9): all nine; the best third {3, 4, 5} advance. Rung 1 (1/3): 3 advances. Rung 2: 3 alone.
        runner.Requests.Select(r => (r.TrialId, r.Rung)).Should().Equal(
            (1, 0), (2, 0), (3, 0), (4, 0), (5, 0), (6, 0), (7, 0), (8, 0), (9, 0),
            (3, 1), (4, 1), (5, 1),
            (3, 2));
        Ids(result, TrialStatus.StoppedEarly, rung: 0).Should().Equal(1, 2, 6, 7, 8, 9);
        Ids(result, TrialStatus.StoppedEarly, rung: 1).Should().Equal(4, 5);
        Ids(result, TrialStatus.Completed, rung: 2).Should().Equal(3);
        result.Trials.Should().HaveCount(9);

        var best = result.Best!;
        best.Id.Should().Be(3);
        best.BudgetFraction.Should().Be(1);
        best.History.Select(h => h.PlannedSteps).Should().Equal(100, 300, 900);
        best.StepsRun.Should().Be(1300);
        best.ValidationLoss.Should().Be(2.0);
        result.BestSettings!.Schedule.PeakLearningRate.Should().Be(3e-4);

        // Highest rung first, then loss; 1 and 8 tie at rung 0 and are ordered by id.
        result.Ranking.Select(t => t.Id).Should().Equal(3, 4, 5, 2, 6, 7, 1, 8, 9);

        result.TotalStepsRun.Should().Be((9 * 100) + (3 * 300) + 900);
        result.StepsIfAllRanInFull.Should().Be(9 * 900);
        result.TotalStepsRun.Should().BeLessThan(result.StepsIfAllRanInFull);
    }

    [Fact]
    public void LowBudgetRuns_ScaleTheStepsButKeepTheStageProportions()
    {
        var runner = TableRunner();
        new SuccessiveHalving(new GridSearch(), eta: 3, minBudgetFraction: 1.0 / 9).Run("halving", NineRates(), runner);

        var first = runner.Requests[0];
        first.BudgetFraction.Should().Be(1.0 / 9);
        first.Plan.Stages.Select(s => s.Steps).Should().Equal(17, 33, 50);
        first.Plan.Schedule.WarmupSteps.Should().Be(10);
        first.Values["TotalSteps"].Should().Be(900, "the request carries the full-budget settings");
        runner.Requests.Single(r => r.Rung == 1 && r.TrialId == 3).Plan.Stages.Select(s => s.Steps).Should().Equal(50, 100, 150);
        runner.Requests.Single(r => r.Rung == 2).Plan.Stages.Select(s => s.Steps).Should().Equal(150, 300, 450);
    }

    [Fact]
    public void AFailingTrial_IsRecorded_AndTheNextBestAdvancesInstead()
    {
        var runner = TableRunner();
        runner.BeforeRun = (request, _) =>
        {
            if (request.TrialId == 3 && request.Rung == 1)
            {
                throw new InvalidOperationException("out of memory at rung 1");
            }
        };

        var result = new SuccessiveHalving(new GridSearch(), eta: 3, minBudgetFraction: 1.0 / 9).Run("halving", NineRates(), runner);

        var failed = result.Trials.Single(t => t.Id == 3);
        failed.Status.Should().Be(TrialStatus.Failed);
        failed.Message.Should().Be("InvalidOperationException: out of memory at rung 1");
        failed.Rank.Should().BeNull();
        failed.ValidationLoss.Should().BeNull();
        failed.History.Select(h => h.Status).Should().Equal(TrialStatus.Completed, TrialStatus.Failed);
        Ids(result, TrialStatus.Completed, rung: 2).Should().Equal(4);
        Ids(result, TrialStatus.StoppedEarly, rung: 1).Should().Equal(5);
        result.Best!.Id.Should().Be(4);
        result.Ranking.Should().NotContain(t => t.Id == 3);
    }

    [Fact]
    public void ALoneSurvivor_GoesStraightToTheFullBudget()
    {
        var space = NineRates();
        space.PeakLearningRate = SearchDimension.Choice(3e-4, 4e-4);
        var runner = TableRunner();
        var result = new SuccessiveHalving(new GridSearch(), eta: 3, minBudgetFraction: 1.0 / 9).Run("two", space, runner);

        runner.Requests.Select(r => (r.TrialId, r.Rung, r.BudgetFraction)).Should().Equal((1, 0, 1.0 / 9), (2, 0, 1.0 / 9), (1, 2, 1.0));
        Ids(result, TrialStatus.Completed, rung: 2).Should().Equal(1);
        Ids(result, TrialStatus.StoppedEarly, rung: 0).Should().Equal(2);
    }

    [Fact]
    public void SameSeedAndOutcomes_GiveTheSameSweep()
    {
        var space = NineRates();
        space.PeakLearningRate = SearchDimension.LogUniform(1e-5, 1e-3);
        space.FinalStageFraction = SearchDimension.Choice(0.0, 0.1);
        var strategy = new SuccessiveHalving(new RandomSearch(10, seed: 4), eta: 2, minBudgetFraction: 0.25);

        var first = strategy.Run("repeat", space, new FakeTrialRunner());
        var second = strategy.Run("repeat", space, new FakeTrialRunner());

        second.ToJson().Should().Be(first.ToJson());
        first.Seed.Should().Be(4);
        first.Trials.Should().HaveCount(10);
        first.Trials.Count(t => t.Status == TrialStatus.Completed).Should().Be(2, "10 → 5 → 2 with η = 2");
        first.Trials.Count(t => t.Status == TrialStatus.StoppedEarly).Should().Be(8);
        first.Best!.ValidationLoss.Should().Be(first.Trials.Where(t => t.BudgetFraction == 1).Min(t => t.ValidationLoss));
    }

    [Fact]
    public void Progress_ReportsEachRunAndEachStop()
    {
        var reports = new List<SweepTrial<MultiStagePlanSettings>>();
        var space = NineRates();
        space.PeakLearningRate = SearchDimension.Choice(3e-4, 4e-4, 1e-4);
        new SuccessiveHalving(new GridSearch(), eta: 3, minBudgetFraction: 1.0 / 9).Run("progress", space, TableRunner(), new SynchronousProgress(reports.Add));

        reports.Select(r => (r.Id, r.Rung, r.Status)).Should().Equal(
            (1, 0, TrialStatus.InProgress),
            (2, 0, TrialStatus.InProgress),
            (3, 0, TrialStatus.InProgress),
            (2, 0, TrialStatus.StoppedEarly),
            (3, 0, TrialStatus.StoppedEarly),
            (1, 2, TrialStatus.Completed));
    }

    private static int[] Ids(SweepResult<MultiStagePlanSettings> result, TrialStatus status, int rung) =>
        result.Trials.Where(t => t.Status == status && t.Rung == rung).Select(t => t.Id).ToArray();

    private sealed class SynchronousProgress(Action<SweepTrial<MultiStagePlanSettings>> report) : IProgress<SweepTrial<MultiStagePlanSettings>>
    {
        public void Report(SweepTrial<MultiStagePlanSettings> value) => report(value);
    }
}
