using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json;
using Microsoft.ML;
using MLNetExtensions.Estimators.Bert;
using MLNetExtensions.Estimators.Training;
using MLNetExtensions.Estimators.Training.Distributed;
using MLNetExtensions.Tests.Pretraining;
using MLNetExtensions.Tests.Training.Support;
using MLNetExtensions.Transforms.ModelFiles;
using static TorchSharp.torch;

namespace MLNetExtensions.Tests.Training;

/// <summary>
/// Data-parallel training over MPI, run for real: this test assembly is launched under <c>mpiexec</c> (MPICH) as the
/// ranks (<see cref="RankProgram"/>), and the tests compare what the ranks wrote.
/// </summary>
public sealed class DataParallelTrainingTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("data-parallel-").FullName;

    [Fact]
    public void TwoRanks_StayBitIdentical_AndMatchOneProcessWithTheJobBatch()
    {
        // 37 rows, 2 epochs: job batches of 8 leave a final batch of 5 (3 + 2 rows), so the gradient average must weight by rows.
        string twoRanks = Launch(2, "regression", "two", "4");
        string oneProcess = Launch(1, "regression", "one", "8");

        var rank0 = RankOutput.Read(twoRanks, 0);
        var rank1 = RankOutput.Read(twoRanks, 1);
        var single = RankOutput.Read(oneProcess, 0);

        rank0.Weights.Should().Equal(rank1.Weights, "every rank applies the same averaged gradient to the same starting weights");
        rank0.Weights.Should().NotEqual(rank0.InitialWeights, "training changed the weights");
        MaxDifference(rank0.Weights, single.Weights).Should().BeLessThan(1e-5f, "2 ranks with batch 4 make the updates of 1 process with batch 8");
        rank0.Steps.Should().Be(single.Steps).And.Be(10);

        // Each step, the two shards are disjoint and together are the single process's batch.
        for (int step = 0; step < single.Batches.Length; step++)
        {
            rank0.Batches[step].Intersect(rank1.Batches[step]).Should().BeEmpty($"the shards of step {step} are disjoint");
            rank0.Batches[step].Concat(rank1.Batches[step]).Should().BeEquivalentTo(single.Batches[step], $"step {step} trains on the same rows");
        }

        // Only the leader logs; the all-reduce carries exactly the trainable gradients plus the step's status.
        rank0.EngineLogLines.Should().BeGreaterThan(0);
        rank1.EngineLogLines.Should().Be(0);
        rank0.Statistics!.Ranks.Should().Be(2);
        rank0.Statistics.Steps.Should().Be(10);
        rank0.Statistics.AllReduceBytesPerStep.Should().Be((rank0.TrainableWeights * sizeof(float)) + 48);
        single.Statistics.Should().BeNull("one process trains alone");
    }

    [Fact]
    public void AFailureOnOneRank_StopsEveryRank_WithItsMessage()
    {
        var (exitCode, output) = Run(2, "regression", "fail", "4", "--fail-rank", "1", "--fail-step", "3");

        exitCode.Should().NotBe(0);
        output.Should().Contain("rank 1: InvalidOperationException: injected failure on rank 1 at step 3");
        output.Should().Contain("rank 0: InvalidOperationException: Rank 1 of 2 failed at step 3, so every rank stops: InvalidOperationException: injected failure on rank 1 at step 3");
    }

    [Fact]
    public void RanksGivenDifferentTrainingSettings_StopTogether_BeforeTraining()
    {
        // Rank 1 has another learning rate: the same averaged gradient would move its weights elsewhere.
        var (exitCode, output) = Run(2, "settings", "settings");

        exitCode.Should().NotBe(0);
        // Both ranks decide from the same reduced values and finalise MPI normally: both report it.
        output.Should().Contain("rank 0: InvalidOperationException: The ranks disagree on the training settings");
        output.Should().Contain("rank 1: InvalidOperationException: The ranks disagree on the training settings (this rank's: Seed=5;");
        output.Should().Contain("LearningRate=0.06;", "each rank names its own settings");
    }

    [Fact]
    public void RankZeroFailingToWriteAStagedRunsState_StopsEveryRank_WithItsMessage()
    {
        // Only rank 0 writes plan-state.json; its folder lies below a file, so the write fails there alone.
        var (exitCode, output) = Run(2, "pretrain-state", "pretrain-state");

        exitCode.Should().NotBe(0);
        output.Should().Contain("rank 1: InvalidOperationException: Rank 0 of 2 failed writing the plan state before stage 0, so every rank stops");
    }

    [Fact]
    public void RanksCheckpointingAStagedRunDifferently_StopTogether_InsteadOfHanging()
    {
        // Only rank 0 is given a CheckpointDirectory: its agreed file work would otherwise leave rank 1 a collective behind.
        var (exitCode, output) = Run(2, "pretrain-leader-checkpoints", "pretrain-leader-checkpoints");

        exitCode.Should().NotBe(0);
        output.Should().Contain("rank 0: InvalidOperationException: The ranks disagree on the staged run's checkpointing (CheckpointDirectory set, Resume, the stage to start from) (this rank: 1, 0, 0)");
        output.Should().Contain("rank 1: InvalidOperationException: The ranks disagree on the staged run's checkpointing (CheckpointDirectory set, Resume, the stage to start from) (this rank: 0, 0, 0)");

        // The same in one engine run: its checkpoint writes are agreed collectively too.
        (exitCode, output) = Run(2, "checkpoint-leader-only", "checkpoint-leader-only");
        exitCode.Should().NotBe(0);
        output.Should().Contain("rank 0: InvalidOperationException: The ranks disagree on checkpointing (this rank's: every 2 steps, every - ticks)");
        output.Should().Contain("rank 1: InvalidOperationException: The ranks disagree on checkpointing (this rank's: none)");
    }

    [Fact]
    public void RanksWhoseGradientsCoverDifferentParameters_StopTogether_EvenWhenTheyMissAsMany()
    {
        // From step 3 on, rank 0 gives parameter 0 no gradient and rank 1 parameter 1: one missing on each.
        var (exitCode, output) = Run(2, "swapped", "swapped");

        exitCode.Should().NotBe(0);
        // Both ranks decide from the same reduced flags, agree on the failure and finalise MPI normally: both report it.
        output.Should().Contain("rank 0: InvalidOperationException: Trainable parameter 0 (of 4, shape [16, 4]) got a gradient on 1 of 2 ranks at step 3");
        output.Should().Contain("rank 1: InvalidOperationException: Trainable parameter 0 (of 4, shape [16, 4]) got a gradient on 1 of 2 ranks at step 3");
    }

    [Fact]
    public void ARankFailingBeforeTraining_EndsTheJob_InsteadOfLeavingTheOthersWaiting()
    {
        var (exitCode, output) = Run(2, "regression", "early", "4", "--fail-rank", "1", "--fail-step", "-1");

        exitCode.Should().NotBe(0);
        output.Should().Contain("rank 1: InvalidOperationException: injected failure on rank 1 before training");
    }

    [Fact]
    public void MultiStageBert_UnderTwoRanks_CommunicatesOnlyTheTrainableLayers()
    {
        string directory = Launch(2, "pretrain", "mslt");

        ModelTensorBytes(Path.Combine(directory, "model-rank0.zip")).Should().Equal(
            ModelTensorBytes(Path.Combine(directory, "model-rank1.zip")), "both ranks end with the same pre-trained weights");
        var report = StagedTrainingReport.FromJson(File.ReadAllText(Path.Combine(directory, "report-rank0.json")));
        report.Stages.Should().HaveCount(2);
        foreach (var stage in report.Stages)
        {
            stage.DataParallel!.Ranks.Should().Be(2);
            stage.DataParallel.AllReduceBytesPerStep.Should().Be((stage.TrainableParameterCount * sizeof(float)) + 48, $"stage {stage.Name} sends its trainable gradients only");
        }

        report.Stages[1].DataParallel!.AllReduceBytesPerStep.Should().BeLessThan(
            report.Stages[0].DataParallel!.AllReduceBytesPerStep, "the grown stage trains its top layer and head only, not the embeddings");
    }

    [Fact]
    public void TheRnnAndIdEstimators_UnderTwoRanks_EndWithTheSameModelOnEveryRank_AndAgreeOnAnUnsetSeed()
    {
        string directory = Launch(2, "estimators", "estimators");
        File.ReadAllText(Path.Combine(directory, "ids-seed-rank1.txt")).Should().Be(
            File.ReadAllText(Path.Combine(directory, "ids-seed-rank0.txt")), "an unset seed is rank 0's draw on every rank");

        foreach (string model in new[] { "prnn", "ids" })
        {
            var rank0 = ModelTensorBytes(Path.Combine(directory, $"{model}-rank0.zip"));
            rank0.Should().NotBeEmpty();
            rank0.Should().Equal(ModelTensorBytes(Path.Combine(directory, $"{model}-rank1.zip")), $"the {model} model trained data-parallel is the same on both ranks");
        }
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Launch(int ranks, string scenario, string name, params string[] arguments)
    {
        var (exitCode, output) = Run(ranks, scenario, name, arguments);
        exitCode.Should().Be(0, $"the ranks succeed; they printed:\n{output}");
        return Path.Combine(_directory, name);
    }

    private (int ExitCode, string Output) Run(int ranks, string scenario, string name, params string[] arguments)
    {
        string output = Path.Combine(_directory, name);
        Directory.CreateDirectory(output);
        var start = new ProcessStartInfo("mpiexec")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[] { "-n", ranks.ToString(), "dotnet", typeof(RankProgram).Assembly.Location, RankProgram.Command, scenario, output }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("The data-parallel tests launch MPICH's mpiexec, which is not installed: apt-get install mpich.", e);
        }

        using (process)
        {
            var standardError = process.StandardError.ReadToEndAsync();
            var standardOutput = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"mpiexec -n {ranks} {scenario} did not finish within 3 minutes: the ranks hang.");
            }

            return (process.ExitCode, standardOutput.Result + standardError.Result);
        }
    }

    private static float MaxDifference(float[] a, float[] b) => a.Zip(b, (x, y) => Math.Abs(x - y)).Max();

    private static byte[] ModelTensorBytes(string path)
    {
        using var zip = ZipFile.OpenRead(path);
        return zip.Entries.Where(e => e.FullName.EndsWith(".safetensors", StringComparison.Ordinal)).OrderBy(e => e.FullName)
            .SelectMany(e =>
            {
                using var stream = e.Open();
                using var copy = new MemoryStream();
                stream.CopyTo(copy);
                return copy.ToArray();
            }).ToArray();
    }

    /// <summary>What one rank wrote.</summary>
    private sealed record RankOutput(
        float[] InitialWeights, float[] Weights, long Steps, int[][] Batches, int EngineLogLines, long TrainableWeights, DataParallelStatistics? Statistics)
    {
        public static RankOutput Read(string directory, int rank) =>
            JsonSerializer.Deserialize<RankOutput>(File.ReadAllText(Path.Combine(directory, $"rank{rank}.json")))!;
    }

    /// <summary>The program every rank runs (<c>dotnet MLNetExtensions.Tests.dll data-parallel-rank SCENARIO DIRECTORY …</c>).</summary>
    internal static class RankProgram
    {
        public const string Command = "data-parallel-rank";

        public static int Run(string[] args)
        {
            int rank = DataParallelEnvironment.Rank;
            try
            {
                switch (args[0])
                {
                    case "regression":
                        Regression(args[1], int.Parse(args[2]), args.Length > 3 ? int.Parse(args[4]) : -1, args.Length > 3 ? int.Parse(args[6]) : -1);
                        break;
                    case "pretrain":
                        Pretrain(args[1]);
                        break;
                    case "swapped":
                        Swapped();
                        break;
                    case "settings":
                        DifferentSettings();
                        break;
                    case "pretrain-state":
                        PretrainWithAnUnwritableStateOnRankZero(args[1]);
                        break;
                    case "pretrain-leader-checkpoints":
                        PretrainCheckpointingOnRankZeroOnly(args[1]);
                        break;
                    case "checkpoint-leader-only":
                        new EngineHarness(rows: 37, dropout: 0).Train(new TrainingOptions
                        {
                            BatchSize = 4, Epochs = 1, LearningRate = 0.05, Seed = 5, NumberOfThreads = 1,
                            CheckpointEveryNSteps = DataParallelEnvironment.IsLeader ? 2 : null,
                            CheckpointPath = DataParallelEnvironment.IsLeader ? Path.Combine(args[1], "run.ckpt") : null,
                        });
                        break;
                    case "estimators":
                        RnnAndIds(args[1]);
                        break;
                    default:
                        throw new ArgumentException($"Unknown scenario '{args[0]}'.");
                }

                return 0;
            }
            catch (Exception e)
            {
                Console.Error.WriteLine($"rank {rank}: {e.GetType().Name}: {e.Message}");
                return 1;
            }
        }

        private static void Regression(string directory, int batchSize, int failRank, int failStep)
        {
            if (failStep < 0 && DataParallelEnvironment.Rank == failRank)
            {
                throw new InvalidOperationException($"injected failure on rank {failRank} before training");
            }

            var harness = new EngineHarness(rows: 37, dropout: 0);
            harness.Objective = new FailingRegressionObjective(harness.Model, failRank, failStep);
            int logLines = 0;
            harness.MLContext.Log += (_, e) => logLines += e.Source == "MLNetExtensions.TrainingEngine" && e.Kind != Microsoft.ML.Runtime.ChannelMessageKind.Trace ? 1 : 0;
            float[] initial = Flatten(harness.Model);
            var result = harness.Train(new TrainingOptions
            {
                BatchSize = batchSize,
                Epochs = 2,
                LearningRate = 0.05,
                MaxGradientNorm = 0.5,
                Seed = 5,
                NumberOfThreads = 1,
                LogEveryNSteps = 2,
            });
            var output = new RankOutput(
                initial, Flatten(harness.Model), result.Steps, harness.Objective.SeenBatches.ToArray(), logLines, result.TrainableParameterCount, result.DataParallel);
            File.WriteAllText(Path.Combine(directory, $"rank{DataParallelEnvironment.Rank}.json"), JsonSerializer.Serialize(output));
        }

        private static void DifferentSettings()
        {
            var harness = new EngineHarness(rows: 37, dropout: 0);
            harness.Train(new TrainingOptions { BatchSize = 4, Epochs = 1, LearningRate = DataParallelEnvironment.Rank == 1 ? 0.06 : 0.05, Seed = 5, NumberOfThreads = 1 });
        }

        private static void Swapped()
        {
            var harness = new EngineHarness(rows: 37, dropout: 0);
            harness.Objective = new SwappedGradientObjective(harness.Model, fromStep: 3);
            harness.Train(new TrainingOptions { BatchSize = 4, Epochs = 2, LearningRate = 0.05, Seed = 5, NumberOfThreads = 1 });
        }

        private static void Pretrain(string directory)
        {
            var mlContext = new MLContext(seed: 1);
            var estimator = mlContext.Transforms.Text.PretrainBert(TinyPretraining.Options());
            var sentences = TinyPretraining.Sentences(mlContext, 200);
            using var model = estimator.Fit(sentences);
            // Every rank saves here so the test can compare them; an application saves on the leader only.
            mlContext.Model.SaveWithTensors(model, sentences.Schema, Path.Combine(directory, $"model-rank{DataParallelEnvironment.Rank}.zip"));
            File.WriteAllText(Path.Combine(directory, $"report-rank{DataParallelEnvironment.Rank}.json"), model.GetTrainingReport()!.ToJson());
        }

        private static void PretrainWithAnUnwritableStateOnRankZero(string directory)
        {
            string blocker = Path.Combine(directory, "a-file");
            File.WriteAllText(blocker, "not a folder");
            var mlContext = new MLContext(seed: 1);
            var options = TinyPretraining.Options();
            options.CheckpointDirectory = DataParallelEnvironment.IsLeader ? Path.Combine(blocker, "checkpoints") : Path.Combine(directory, "checkpoints");
            using var model = mlContext.Transforms.Text.PretrainBert(options).Fit(TinyPretraining.Sentences(mlContext, 200));
        }

        private static void PretrainCheckpointingOnRankZeroOnly(string directory)
        {
            var mlContext = new MLContext(seed: 1);
            var options = TinyPretraining.Options();
            options.CheckpointDirectory = DataParallelEnvironment.IsLeader ? Path.Combine(directory, "checkpoints") : null;
            using var model = mlContext.Transforms.Text.PretrainBert(options).Fit(TinyPretraining.Sentences(mlContext, 200));
        }

        private static void RnnAndIds(string directory)
        {
            // No seed anywhere: each rank draws one, and the estimators must agree on rank 0's before they touch the data.
            var mlContext = new MLContext();
            var sequences = mlContext.Data.LoadFromEnumerable(Sequences.SequenceTestData.Classes(45, seed: 1));
            var rnnOptions = Sequences.PersistentMemoryRnnEstimatorTests.Options();
            rnnOptions.Seed = null;
            rnnOptions.Epochs = 3;
            rnnOptions.BatchSize = 8;
            var rnn = mlContext.Transforms.Conversion.MapValueToKey("Label")
                .Append(mlContext.MulticlassClassification.Trainers.PersistentMemoryRnn(rnnOptions))
                .Fit(sequences);
            mlContext.Model.SaveWithTensors(rnn, sequences.Schema, Path.Combine(directory, $"prnn-rank{DataParallelEnvironment.Rank}.zip"));

            var idOptions = Ids.IdTestData.Options(mlContext);
            idOptions.Seed = null;
            idOptions.Epochs = 2;
            var interactions = mlContext.Data.LoadFromEnumerable(Ids.IdTestData.Interactions(users: 16));
            using var ids = mlContext.Transforms.IdEmbedding(idOptions).Fit(interactions);
            mlContext.Model.SaveWithTensors(ids, interactions.Schema, Path.Combine(directory, $"ids-rank{DataParallelEnvironment.Rank}.zip"));
            File.WriteAllText(Path.Combine(directory, $"ids-seed-rank{DataParallelEnvironment.Rank}.txt"), ids.TrainingSummary!.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        private static float[] Flatten(nn.Module model) =>
            model.parameters().SelectMany(p => p.detach().cpu().data<float>().ToArray()).ToArray();
    }

    /// <summary>The regression objective, throwing on one rank at one step.</summary>
    private sealed class FailingRegressionObjective(nn.Module<Tensor, Tensor> model, int failRank, int failStep) : RegressionObjective(model)
    {
        public override Tensor ComputeLoss(RegressionBatch batch, TrainingStepContext context)
        {
            if (context.IsTraining && context.Step == failStep && DataParallelEnvironment.Rank == failRank)
            {
                throw new InvalidOperationException($"injected failure on rank {failRank} at step {failStep}");
            }

            return base.ComputeLoss(batch, context);
        }
    }

    /// <summary>The regression objective, leaving from one step on a different parameter out of the graph on each rank (parameter r on rank r).</summary>
    private sealed class SwappedGradientObjective(TinyRegressor model, int fromStep) : RegressionObjective(model)
    {
        public override Tensor ComputeLoss(RegressionBatch batch, TrainingStepContext context)
        {
            if (!context.IsTraining || context.Step < fromStep)
            {
                return base.ComputeLoss(batch, context);
            }

            var excluded = model.parameters().ElementAt(DataParallelEnvironment.Rank);
            excluded.requires_grad = false;
            try
            {
                return base.ComputeLoss(batch, context);
            }
            finally
            {
                excluded.requires_grad = true;
            }
        }
    }
}
