using FluentAssertions;
using Microsoft.ML;
using MLNetExtensions.Estimators.Bert;
using MLNetExtensions.Estimators.Plans;
using MLNetExtensions.Estimators.Sweeps;
using MLNetExtensions.Tests.Pretraining;
using MLNetExtensions.Tests.TestSupport;
using MLNetExtensions.Transforms.Bert;

namespace MLNetExtensions.Tests.Sweeps;

/// <summary>Sweeps over coarse-refined training's settings: the same strategies and runner as the MSLT sweeps. In the Torch global-state collection:
/// the real trials compare two same-seed runs bit for bit, so no other test may change the process-wide thread count meanwhile.</summary>
[Collection(TorchGlobalStateCollection.Name)]
public sealed class CoReSweepTests
{
    /// <summary>Depth 2, 100 steps split 70 / 30, full-phase warm-up 3 (so every split in (0, 1) but the extremes is valid).</summary>
    private static CoRePlanSettings FixedSettings() => new()
    {
        Depth = 2,
        RelaxedSteps = 70,
        FullSteps = 30,
        FeedForwardRank = 16,
        RelaxedSchedule = new LearningRateScheduleSettings { PeakLearningRate = 1e-3, WarmupSteps = 5 },
        FullSchedule = new LearningRateScheduleSettings { PeakLearningRate = 5e-4, WarmupSteps = 3 },
    };

    [Fact]
    public void Grid_CoversRankAttentionAndSplit_AndEachPlanCarriesItsRelaxation()
    {
        var space = new CoReSearchSpace(FixedSettings())
        {
            FeedForwardRank = SearchDimension.Choice(8, 32),
            Attention = SearchDimension.Choice(FastAttentionKind.Linear, FastAttentionKind.LowRankProjection),
            RelaxedShare = SearchDimension.Choice(0.5, 0.9),
        };

        var set = new GridSearch().Propose(space);

        space.SweptDimensions.Should().Equal("FeedForwardRank", "Attention", "RelaxedShare");
        set.Candidates.Select(c => (c.Settings.FeedForwardRank, c.Settings.Attention, c.Settings.RelaxedSteps, c.Settings.FullSteps)).Should().Equal(
            (8, FastAttentionKind.Linear, 50, 50),
            (8, FastAttentionKind.Linear, 90, 10),
            (8, FastAttentionKind.LowRankProjection, 50, 50),
            (8, FastAttentionKind.LowRankProjection, 90, 10),
            (32, FastAttentionKind.Linear, 50, 50),
            (32, FastAttentionKind.Linear, 90, 10),
            (32, FastAttentionKind.LowRankProjection, 50, 50),
            (32, FastAttentionKind.LowRankProjection, 90, 10));
        foreach (var candidate in set.Candidates)
        {
            var plan = candidate.Plan;
            plan.Relaxation.Should().Be(candidate.Settings.Relaxation);
            plan.Stages.Select(s => s.Architecture).Should().Equal(EncoderArchitecture.Relaxed, EncoderArchitecture.Full);
            plan.Stages.Select(s => s.Steps).Should().Equal(candidate.Settings.RelaxedSteps, candidate.Settings.FullSteps);
            plan.TotalSteps.Should().Be(100, "a split divides the fixed total");
            candidate.Values["RelaxedShare"].Should().Be(candidate.Settings.RelaxedSteps / 100.0);
            TrainingPlan.FromJson(plan.ToJson()).Relaxation.Should().Be(plan.Relaxation, "the relaxation travels with the plan's JSON");
        }

        space.FixedSettings.FeedForwardRank.Should().Be(16, "candidates are copies");
    }

    [Fact]
    public void InvalidSplits_AreSkippedWithTheReason_AndLinearAttentionIgnoresTheProjectedLength()
    {
        var split = new CoReSearchSpace(FixedSettings()) { RelaxedShare = SearchDimension.Choice(0.0, 0.5, 0.99, 1.0) };
        var set = new GridSearch().Propose(split);
        set.Candidates.Select(c => c.Settings.RelaxedSteps).Should().Equal(50);
        set.SkippedCount.Should().Be(3);
        set.SkipReasons.Should().Contain(r => r.Contains("RelaxedSteps must be ≥ 1"))
            .And.Contain(r => r.Contains("FullSteps must be ≥ 1"))
            .And.Contain(r => r.Contains("CoRePlanSettings.FullSchedule.WarmupSteps must be in [0, FullSteps (1)] (was 3)"), "a 1-step full phase is shorter than its 3-step warm-up");

        var attention = new CoReSearchSpace(FixedSettings())
        {
            Attention = SearchDimension.Choice(FastAttentionKind.Linear, FastAttentionKind.LowRankProjection),
            ProjectedLength = SearchDimension.Choice(8, 16),
        };
        var candidates = new GridSearch().Propose(attention).Candidates;
        candidates.Select(c => (c.Settings.Attention, c.Values.ContainsKey("ProjectedLength"))).Should().Equal(
            (FastAttentionKind.Linear, false),
            (FastAttentionKind.LowRankProjection, true),
            (FastAttentionKind.LowRankProjection, true));
    }

    [Fact]
    public void SuccessiveHalving_ScalesBothPhasesAndTheirWarmups_AndFindsTheBestRankAndSplit()
    {
        var space = new CoReSearchSpace(FixedSettings())
        {
            FeedForwardRank = SearchDimension.Choice(4, 8, 16, 32),
            RelaxedShare = SearchDimension.Uniform(0.3, 0.9),
            RelaxedPeakLearningRate = SearchDimension.LogUniform(3e-4, 3e-3),
        };

        // Best at rank 16 and a 0.7 split. Every rung adds the same budget penalty, so halving must end with the
        // candidate of the lowest loss among all proposed.
        static double Loss(IReadOnlyDictionary<string, object> values) =>
            1.0 + Math.Abs(Math.Log2((int)values["FeedForwardRank"] / 16.0)) + Math.Abs((double)values["RelaxedShare"] - 0.7);
        var runner = new FakeTrialRunner(request => Loss(request.Values));
        var result = new SuccessiveHalving(new RandomSearch(9, seed: 3), eta: 3).Run("core", space, runner);

        result.Trials.Should().HaveCount(9);
        foreach (var request in runner.Requests)
        {
            var plan = request.Plan;
            plan.Invoking(p => p.Validate()).Should().NotThrow();
            plan.Relaxation!.FeedForwardRank.Should().Be((int)request.Values["FeedForwardRank"]);
            var full = plan.Stages[^1];
            full.Schedule!.WarmupSteps.Should().BeLessThanOrEqualTo(full.Steps);
            if (request.BudgetFraction < 1)
            {
                plan.TotalSteps.Should().Be((int)Math.Round(100 * request.BudgetFraction, MidpointRounding.AwayFromZero));
                full.Schedule.WarmupSteps.Should().Be((int)Math.Round(3 * request.BudgetFraction, MidpointRounding.AwayFromZero), "the full phase's own warm-up scales with the budget");
            }
        }

        var expected = result.Trials.MinBy(t => Loss(t.Values))!;
        result.Best!.Id.Should().Be(expected.Id);
        result.BestSettings!.FeedForwardRank.Should().Be(expected.Settings.FeedForwardRank);
        result.BestSettings.RelaxedSteps.Should().Be(expected.Settings.RelaxedSteps);
        result.Trials.Where(t => t.Status == TrialStatus.Completed).Should().OnlyContain(t => t.Rung == 2);
        result.ToTable().Columns.Should().Contain(new[] { "FeedForwardRank", "RelaxedShare", "RelaxedPeakLearningRate" });
    }

    [Fact]
    public void RealTrials_TrainTheRelaxedModelTheCandidateAsksFor()
    {
        var mlContext = new MLContext(seed: 1);
        var options = TinyPretraining.Options();
        var runner = new BertPretrainingTrialRunner(mlContext, TinyPretraining.Sentences(mlContext, 200), options);
        var space = TinySpace(relaxedSteps: 4, fullSteps: 2);

        var result = new GridSearch().Run("tiny-core", space, runner);
        var again = new GridSearch().Run("tiny-core", space, runner);

        result.Trials.Should().HaveCount(2).And.OnlyContain(t => t.Status == TrialStatus.Completed && t.StepsRun == 6);
        result.Trials.Select(t => t.ValidationLoss!.Value).Should().OnlyContain(loss => double.IsFinite(loss) && loss > 0);
        result.Trials[0].ValidationLoss.Should().NotBe(result.Trials[1].ValidationLoss, "rank 2 and rank 16 are different relaxed models");
        again.Trials.Select(t => t.ValidationLoss).Should().Equal(result.Trials.Select(t => t.ValidationLoss), "a seed gives the same trials");
    }

    [Fact]
    public void RealTrials_CheckpointIntoTheirOwnDirectories_AndASweepCannotResume()
    {
        var mlContext = new MLContext(seed: 1);
        string directory = Directory.CreateTempSubdirectory("sweep-checkpoints-").FullName;
        try
        {
            var options = TinyPretraining.Options();
            options.CheckpointDirectory = directory;
            var runner = new BertPretrainingTrialRunner(mlContext, TinyPretraining.Sentences(mlContext, 200), options);
            var space = TinySpace(relaxedSteps: 2, fullSteps: 1);

            var result = new GridSearch().Run("tiny-core-checkpoints", space, runner);

            result.Trials.Should().HaveCount(2).And.OnlyContain(t => t.Status == TrialStatus.Completed);
            var trialDirectories = Directory.GetDirectories(directory).Select(Path.GetFileName).ToArray();
            trialDirectories.Should().BeEquivalentTo(result.Trials.Select(t => $"trial-{t.Id}-rung-{t.Rung}"), "each trial checkpoints on its own");
            trialDirectories.Should().OnlyContain(name => Directory.EnumerateFiles(Path.Combine(directory, name!)).Any());
            Directory.EnumerateFiles(directory).Should().BeEmpty("nothing is written beside the trials' directories");

            options.ResumeFromCheckpoint = true;
            var resume = () => new BertPretrainingTrialRunner(mlContext, TinyPretraining.Sentences(mlContext, 200), options);
            resume.Should().Throw<ArgumentException>().Where(e => e.ParamName == "ResumeFromCheckpoint");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Two real trials (feed-forward rank 2 or 16) of a one-layer CoRe plan.</summary>
    private static CoReSearchSpace TinySpace(int relaxedSteps, int fullSteps) => new(new CoRePlanSettings
    {
        Depth = 1,
        RelaxedSteps = relaxedSteps,
        FullSteps = fullSteps,
        RelaxedSchedule = new LearningRateScheduleSettings { PeakLearningRate = 2e-3, WarmupSteps = 1 },
        FullSchedule = new LearningRateScheduleSettings { PeakLearningRate = 1e-3, WarmupSteps = 1 },
    })
    {
        FeedForwardRank = SearchDimension.Choice(2, 16),
    };
}
