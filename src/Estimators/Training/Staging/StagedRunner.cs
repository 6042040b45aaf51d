using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.ML;
using MLNetExtensions.Estimators.Training.Distributed;
using MLNetExtensions.Transforms.IO;
using static TorchSharp.torch;

namespace MLNetExtensions.Estimators.Training;

/// <summary>
/// Runs a model through a list of stages with the one training engine, whatever the model: before each stage the
/// model enters the stage's form (<see cref="IStagedModel{TBatch}.EnterStage"/>: grow, convert) and names what
/// trains; the stages take consecutive steps of their learning-rate schedules and carry AdamW moments unless a
/// stage resets them. With a checkpoint folder, the plan's progress is kept in <c>plan-state.json</c>, each stage
/// checkpoints to <c>stage-{k}.ckpt</c> and the carried moments to <c>optimizer-before-stage-{k}.bin</c>, so a run
/// killed in the middle of any stage resumes from its last checkpoint to the same weights (on CPU).
/// </summary>
public sealed class StagedRunner
{
    private const string StateFile = "plan-state.json";

    private static readonly JsonSerializerOptions Json = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    private readonly TrainingEngine _engine = new();

    /// <summary>Runs <paramref name="stages"/> on <paramref name="model"/>.</summary>
    /// <typeparam name="TBatch">The objective's batch type.</typeparam>
    /// <param name="mlContext">The context: log, cancellation.</param>
    /// <param name="model">The model side: forms, objectives and trainable groups of the stages.</param>
    /// <param name="planIdentity">Identifies the plan and the model (e.g. their JSON); resuming checks the checkpoints were written by the same ones.</param>
    /// <param name="stages">The stages, in order.</param>
    /// <param name="trainData">Training rows.</param>
    /// <param name="validationData">Validation rows, or null.</param>
    /// <param name="settings">Settings shared by the stages.</param>
    /// <param name="progress">Engine reports with the stage's position, or null.</param>
    /// <param name="cancellationToken">Stops at the next step boundary (after a checkpoint when checkpoints are on).</param>
    /// <returns>The stages' results and the validation curve.</returns>
    public StagedRunResult Run<TBatch>(
        MLContext mlContext,
        IStagedModel<TBatch> model,
        string planIdentity,
        IReadOnlyList<StagedRunStage> stages,
        IDataView trainData,
        IDataView? validationData,
        StagedTrainingSettings settings,
        IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stages);
        ArgumentNullException.ThrowIfNull(settings);
        if (stages.Count == 0)
        {
            throw new ArgumentException("A staged run needs at least one stage.", nameof(stages));
        }

        if (settings.Resume && settings.CheckpointDirectory is null)
        {
            throw new ArgumentException("Resume needs CheckpointDirectory.", nameof(settings));
        }

        long planSteps = stages.Sum(s => (long)s.Steps);
        using var carry = new OptimizerStateStore();
        var state = settings.Resume ? RestoreState(model, planIdentity, stages.Count, settings, carry) : new PlanState { PlanJson = planIdentity, Seed = settings.Seed };
        // Data-parallel, the ranks must run the same stages with the same checkpointing, for their collectives (the
        // agreed file work below, each stage's run) to pair up.
        DataParallelRun.RequireSameInJob(
            "the staged run's checkpointing (CheckpointDirectory set, Resume, the stage to start from)",
            settings.CheckpointDirectory is null ? 0 : 1,
            settings.Resume ? 1 : 0,
            state.CurrentStage);

        // Stage checkpoints an earlier run left in the folder would be taken for this run's if it were killed before
        // checkpointing a stage (even between stages, while the model grows).
        OnLeader("deleting older stage checkpoints", () =>
        {
            for (int k = 0; !settings.Resume && k < stages.Count && Directory.Exists(settings.CheckpointDirectory); k++)
            {
                File.Delete(StageCheckpoint(settings, k));
            }
        });

        double secondsBefore = state.Stages.Sum(s => s.TrainingSeconds);
        bool cancelled = false;

        for (int k = state.CurrentStage; k < stages.Count && !cancelled; k++)
        {
            var stage = stages[k];
            bool resumingThisStage = settings.Resume && k == state.CurrentStage && File.Exists(StageCheckpoint(settings, k));
            model.EnterStage(k);
            if (stage.ResetOptimizerState && !resumingThisStage)
            {
                carry.Clear();
            }

            if (!resumingThisStage)
            {
                state.CurrentStage = k;
            }

            // Every rank takes part (whether this rank resumes the stage can differ: it checks the file itself).
            OnLeader($"writing the plan state before stage {k}", () =>
            {
                if (settings.CheckpointDirectory is { } directory && !resumingThisStage)
                {
                    Directory.CreateDirectory(directory);
                    carry.Save(CarryFile(settings, k));
                    WriteState(settings, state);
                }
            });

            long stepsBefore = stages.Take(k).Sum(s => (long)s.Steps);
            var setup = model.ConfigureStage(k);
            var options = new TrainingOptions
            {
                BatchSize = settings.BatchSize,
                MaxSteps = stage.Steps,
                LearningRate = stage.PeakLearningRate,
                WarmupSteps = stage.WarmupSteps,
                Decay = stage.Decay,
                FinalLearningRateFraction = stage.FinalFraction,
                WeightDecay = settings.WeightDecay,
                MaxGradientNorm = settings.MaxGradientNorm,
                Seed = unchecked(settings.Seed + (7919 * k)),
                ValidateEveryNSteps = validationData is null ? null : settings.ValidateEveryNSteps,
                ValidationBatchSize = settings.ValidationBatchSize,
                NumberOfThreads = settings.NumberOfThreads,
                LogEveryNSteps = settings.LogEveryNSteps,
                CheckpointPath = settings.CheckpointDirectory is null ? null : StageCheckpoint(settings, k),
                CheckpointEveryNSteps = settings.CheckpointDirectory is null ? null : settings.CheckpointEveryNSteps,
                ResumeFromCheckpoint = resumingThisStage ? StageCheckpoint(settings, k) : null,
                Stage = new StageSegment { ScheduleOffsetSteps = stage.ScheduleOffsetSteps, ScheduleTotalSteps = stage.ScheduleTotalSteps, OptimizerStateCarry = carry },
            };

            Func<TimeSpan> evaluationTime = setup.EvaluationTime ?? (() => TimeSpan.Zero);
            TimeSpan evaluationBefore = evaluationTime();
            double stageSecondsBefore = secondsBefore;
            int stageIndex = k;
            var stageProgress = new StageProgress(k, stages.Count, stage.Name, stepsBefore, planSteps, progress, point =>
            {
                double seconds = stageSecondsBefore + (point.Elapsed - (evaluationTime() - evaluationBefore)).TotalSeconds;
                state.Validations.Add(new StagedRunValidation(stageIndex, stepsBefore + point.Step, seconds, new Dictionary<string, double>(point.Metrics)));
            });

            var result = _engine.Train(mlContext, model.Module, setup.Objective, trainData, validationData, setup.TrainableGroups, options, stageProgress, cancellationToken);
            // After a resume, the stage's time covers the part run in this process.
            double trainingSeconds = (result.Elapsed - (evaluationTime() - evaluationBefore)).TotalSeconds;
            secondsBefore += trainingSeconds;
            cancelled = result.Cancelled;
            state.Stages.Add(new StagedRunStageResult
            {
                Name = stage.Name,
                Steps = result.Steps,
                TrainingSeconds = trainingSeconds,
                FinalTrainingLoss = result.StepLosses.Count == 0 ? double.NaN : result.StepLosses.TakeLast(20).Average(l => (double)l),
                ValidationMetrics = result.LastValidationMetrics is null ? null : new Dictionary<string, double>(result.LastValidationMetrics),
                TrainableParameterCount = result.TrainableParameterCount,
                DataParallel = result.DataParallel,
            });

            model.OnStageCompleted(k, state.Stages);
            if (!cancelled)
            {
                state.CurrentStage = k + 1;
                OnLeader($"writing the plan state after stage {k}", () =>
                {
                    if (settings.CheckpointDirectory is not null)
                    {
                        WriteState(settings, state);
                    }
                });
            }
        }

        return new StagedRunResult(state.Stages, state.Validations, cancelled);
    }

    /// <summary>
    /// Runs a file operation on rank 0 alone; data-parallel, every rank learns whether it failed, so that all stop
    /// together instead of rank 0 leaving the run (into a sweep's next trial, say) while the others go on.
    /// </summary>
    private static void OnLeader(string during, Action action) =>
        DataParallelRun.CollectivelyInJob(during, () =>
        {
            if (DataParallelEnvironment.IsLeader)
            {
                action();
            }
        });

    private static string StageCheckpoint(StagedTrainingSettings settings, int stage) => Path.Combine(settings.CheckpointDirectory!, $"stage-{stage}.ckpt");

    private static string CarryFile(StagedTrainingSettings settings, int stage) => Path.Combine(settings.CheckpointDirectory!, $"optimizer-before-stage-{stage}.bin");

    /// <summary>The seed of the staged run checkpointed in <paramref name="checkpointDirectory"/>, or null when there is none or it cannot be read (resuming then says why).</summary>
    internal static int? TryReadSeed(string checkpointDirectory)
    {
        try
        {
            return JsonSerializer.Deserialize<PlanState>(File.ReadAllText(Path.Combine(checkpointDirectory, StateFile)), Json)?.Seed;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or JsonException or ArgumentException or NotSupportedException)
        {
            return null;
        }
    }

    private static void WriteState(StagedTrainingSettings settings, PlanState state) =>
        AtomicFile.Write(Path.Combine(settings.CheckpointDirectory!, StateFile), stream => JsonSerializer.Serialize(stream, state, Json));

    private static PlanState RestoreState<TBatch>(IStagedModel<TBatch> model, string planIdentity, int stageCount, StagedTrainingSettings settings, OptimizerStateStore carry)
    {
        string path = Path.Combine(settings.CheckpointDirectory!, StateFile);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Resume was asked for, but '{path}' does not exist: no staged run was checkpointed in CheckpointDirectory '{settings.CheckpointDirectory}'.", path);
        }

        PlanState state;
        try
        {
            state = JsonSerializer.Deserialize<PlanState>(File.ReadAllText(path), Json) ?? throw new InvalidDataException($"'{path}' is empty.");
        }
        catch (JsonException exception)
        {
            throw new InvalidDataException($"'{path}' is not a staged-training state file: {exception.Message}", exception);
        }

        if (state.PlanJson != planIdentity)
        {
            throw new InvalidOperationException(
                $"The checkpoints in '{settings.CheckpointDirectory}' were written by another plan or another model (or by a version of this library before 2026-12-01, which identified a BERT run by its plan alone); resume with the same plan and model options.");
        }

        if (state.Seed is int seed && seed != settings.Seed)
        {
            // A stage that starts on resume has no engine checkpoint whose settings would catch this.
            throw new InvalidOperationException(
                $"The checkpoints in '{settings.CheckpointDirectory}' were written by a run with seed {seed}, not {settings.Seed}; resume with the same seed (a run with no seed set continues with it).");
        }

        int k = state.CurrentStage;
        if (k > 0)
        {
            // The weights at the start of stage k are those at the end of stage k − 1, in stage k − 1's form.
            for (int i = 0; i < k; i++)
            {
                model.EnterStage(i);
            }

            using var previous = TrainingCheckpoint.Load(StageCheckpoint(settings, k - 1));
            var target = model.Module.state_dict();
            using var noGrad = no_grad();
            foreach (var (name, tensor) in previous.ModelTensors)
            {
                target[name].copy_(tensor);
            }
        }

        if (k < stageCount)
        {
            carry.Load(CarryFile(settings, k));
        }

        return state;
    }

    /// <summary>What the checkpoint folder records about the plan's progress.</summary>
    private sealed class PlanState
    {
        public string PlanJson { get; set; } = string.Empty;

        public int CurrentStage { get; set; }

        /// <summary>The run's seed (null in state files written before it was kept).</summary>
        public int? Seed { get; set; }

        public List<StagedRunStageResult> Stages { get; set; } = new();

        public List<StagedRunValidation> Validations { get; set; } = new();
    }

    /// <summary>Forwards engine reports with the stage's position, and records validations.</summary>
    private sealed class StageProgress(int stage, int stageCount, string name, long stepsBefore, long planSteps, IProgress<TrainingProgress>? outer, Action<TrainingProgress> onValidation)
        : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (value.Kind == TrainingProgressKind.Validation)
            {
                onValidation(value);
            }

            outer?.Report(value with { Stage = new TrainingStagePosition(stage, stageCount, name, stepsBefore, planSteps) });
        }
    }
}
