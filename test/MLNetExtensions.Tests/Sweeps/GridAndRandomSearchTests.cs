using MLNetExtensions.Estimators.Plans;
using MLNetExtensions.Estimators.Sweeps;
using MLNetExtensions.Transforms.Bert;

namespace MLNetExtensions.Tests.Sweeps;

public sealed class GridAndRandomSearchTests
{
    /// <summary>Target depth 12, 1200 steps; start depth × layers per stage, 6 of whose 12 combinations are valid.</summary>
    private static MsltSearchSpace DepthSpace() => new(new MultiStagePlanSettings { TargetDepth = 12, TotalSteps = 1200, Schedule = { WarmupSteps = 10 } })
    {
        StartDepth = SearchDimension.Choice(2, 3, 4, 6),
        LayersPerStage = SearchDimension.Choice(2, 3, 4),
    };

    private static readonly (int Start, int PerStage)[] ValidDepthPairs = { (2, 2), (3, 3), (4, 2), (4, 4), (6, 2), (6, 3) };

    [Fact]
    public void Grid_EnumeratesEveryValidCombination_InNestingOrder()
    {
        var space = DepthSpace();
        space.PeakLearningRate = SearchDimension.LogUniform(1e-4, 1e-3);
        space.SweptDimensions.Should().Equal("StartDepth", "LayersPerStage", "PeakLearningRate");

        var set = new GridSearch(pointsPerRange: 2).Propose(space);

        var expected = ValidDepthPairs.SelectMany(p => new[] { (p.Start, p.PerStage, 1e-4), (p.Start, p.PerStage, 1e-3) });
        set.Candidates.Select(c => (c.Settings.StartDepth, c.Settings.LayersPerStage, c.Settings.Schedule.PeakLearningRate)).Should().Equal(expected);
        set.SkippedCount.Should().Be(12, "6 invalid depth pairs × 2 learning rates");
        set.SkipReasons.Should().Contain(r => r.Contains("LayersPerStage must divide TargetDepth − StartDepth"));
        set.SkipReasons.Should().OnlyContain(r => !r.Contains("Parameter '"), "reasons are the options' own messages");
        set.Candidates.Should().OnlyContain(c => c.Plan.TotalSteps == 1200 && c.Plan.FinalDepth == 12 && c.Plan.Name == "mslt");
    }

    [Fact]
    public void Grid_WithRandomNewLayers_AllowsGrowingByMoreThanTheCurrentDepth()
    {
        var space = new MsltSearchSpace(new MultiStagePlanSettings { TargetDepth = 12, TotalSteps = 1200, Schedule = { WarmupSteps = 10 } })
        {
            StartDepth = SearchDimension.Choice(2, 3),
            LayersPerStage = SearchDimension.Choice(5, 3),
            NewLayers = SearchDimension.Choice(LayerInitialization.CopyTopLayers, LayerInitialization.Random),
        };
        var set = new GridSearch().Propose(space);
        set.Candidates.Select(c => (c.Settings.StartDepth, c.Settings.LayersPerStage, c.Settings.NewLayers)).Should().Equal(
            (2, 5, LayerInitialization.Random),
            (3, 3, LayerInitialization.CopyTopLayers),
            (3, 3, LayerInitialization.Random));
        set.SkippedCount.Should().Be(5);
        set.SkipReasons.Should().Contain(r => r.Contains("must be ≤ the current depth (2)") && r.Contains("CopyTopLayers"));
    }

    [Fact]
    public void Grid_RunsEveryCandidateWithTheFullBudget_AndRanksByLoss()
    {
        var space = DepthSpace();
        var runner = new FakeTrialRunner();
        var result = new GridSearch().Run("grid", space, runner);

        runner.Requests.Select(r => r.TrialId).Should().Equal(1, 2, 3, 4, 5, 6);
        runner.Requests.Should().OnlyContain(r => r.BudgetFraction == 1 && r.Rung == 0 && r.Plan.TotalSteps == 1200);
        result.Trials.Should().HaveCount(6).And.OnlyContain(t => t.Status == TrialStatus.Completed);
        result.Best!.Settings.StartDepth.Should().Be(3);
        result.Ranking.Select(t => t.Settings.StartDepth).Should().Equal(3, 2, 4, 4, 6, 6);
        result.Ranking.Select(t => t.Id).Should().Equal(new[] { 2, 1, 3, 4, 5, 6 }, "equal losses are ranked by id");
        result.Ranking.Select(t => t.Rank).Should().Equal(1, 2, 3, 4, 5, 6);
        result.TotalStepsRun.Should().Be(6 * 1200).And.Be(result.StepsIfAllRanInFull);
        result.Seed.Should().BeNull();
        result.Cancelled.Should().BeFalse();
    }

    [Fact]
    public void AnEmptySpace_IsOneCandidate_AndAnImpossibleOneIsAClearError()
    {
        var single = new GridSearch().Propose(new MsltSearchSpace(12, 1200));
        single.Candidates.Should().ContainSingle();
        new RandomSearch(5, 1).Propose(new MsltSearchSpace(12, 1200)).Candidates.Should().ContainSingle("repeats are skipped");

        var impossible = new MsltSearchSpace(12, 1200) { LayersPerStage = SearchDimension.Choice(5, 7) };
        FluentActions.Invoking(() => new GridSearch().Propose(impossible))
            .Should().Throw<InvalidOperationException>().WithMessage("*no valid candidate (2 combinations skipped)*LayersPerStage must divide*");
    }

    [Fact]
    public void RandomSearch_IsReproducibleForASeed_AndDiffersAcrossSeeds()
    {
        var space = DepthSpace();
        space.PeakLearningRate = SearchDimension.LogUniform(1e-5, 1e-3);
        space.FinalStageFraction = SearchDimension.Uniform(0, 0.2);

        var a = new RandomSearch(12, seed: 5).Propose(space).Candidates.Select(c => c.Key).ToArray();
        var b = new RandomSearch(12, seed: 5).Propose(space).Candidates.Select(c => c.Key).ToArray();
        var other = new RandomSearch(12, seed: 6).Propose(space).Candidates.Select(c => c.Key).ToArray();
        var longer = new RandomSearch(20, seed: 5).Propose(space).Candidates.Select(c => c.Key).ToArray();

        a.Should().HaveCount(12).And.OnlyHaveUniqueItems();
        b.Should().Equal(a);
        other.Should().NotEqual(a);
        longer.Take(12).Should().Equal(a, "more trials extend the same sequence");
    }

    [Fact]
    public void RandomSearch_CoversTheSpace_WithValidCandidatesOnly()
    {
        var space = DepthSpace();
        space.StepAllocation = SearchDimension.Choice(StepAllocation.Equal, StepAllocation.ProportionalToDepth);
        space.PeakLearningRate = SearchDimension.LogUniform(1e-5, 1e-3);
        space.ResetOptimizerStateBetweenStages = SearchDimension.Choice(false, true);

        var candidates = new RandomSearch(200, seed: 1).Propose(space).Candidates;

        candidates.Should().HaveCount(200);
        candidates.Select(c => (c.Settings.StartDepth, c.Settings.LayersPerStage)).Distinct().Should().BeEquivalentTo(ValidDepthPairs);
        candidates.Select(c => c.Settings.StepAllocation).Distinct().Should().HaveCount(2);
        candidates.Select(c => c.Settings.ResetOptimizerStateBetweenStages).Distinct().Should().HaveCount(2);
        var rates = candidates.Select(c => c.Settings.Schedule.PeakLearningRate).ToArray();
        rates.Should().OnlyContain(r => r >= 1e-5 && r <= 1e-3);
        rates.Should().Contain(r => r < 3e-5).And.Contain(r => r > 3e-4, "both ends of the log range are reached");
        candidates.Should().OnlyContain(c => c.Plan.TotalSteps == 1200);
    }

    [Fact]
    public void RandomSearch_OfASmallSpace_StopsWhenItIsExhausted()
    {
        var set = new RandomSearch(50, seed: 3).Propose(DepthSpace());
        set.Candidates.Select(c => (c.Settings.StartDepth, c.Settings.LayersPerStage)).Should().BeEquivalentTo(ValidDepthPairs);
        set.SkippedCount.Should().BeGreaterThan(0);
    }

    [Fact]
    public void RandomSearch_Run_RecordsTheSeedAndRunsEachCandidateOnce()
    {
        var space = DepthSpace();
        space.PeakLearningRate = SearchDimension.LogUniform(1e-4, 1e-3);
        var runner = new FakeTrialRunner();
        var result = new RandomSearch(8, seed: 11).Run("random", space, runner);

        result.Seed.Should().Be(11);
        result.Strategy.Should().Be("random(trials=8, seed=11)");
        runner.Requests.Select(r => r.TrialId).Should().Equal(Enumerable.Range(1, 8));
        result.Trials.Should().HaveCount(8).And.OnlyContain(t => t.Status == TrialStatus.Completed && t.StepsRun == 1200);
        result.Ranking.Select(t => t.ValidationLoss).Should().BeInAscendingOrder();
        result.BestSettings.Should().BeEquivalentTo(result.Ranking[0].Settings);
    }
}
