using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLNetExtensions.Transforms.DataView;
using MLNetExtensions.Estimators.Plans;
using MLNetExtensions.Estimators.Training;
using MLNetExtensions.Transforms.Bert;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExtensions.Estimators.Bert;

/// <summary>
/// Runs a <see cref="TrainingPlan"/> on a <see cref="BertForMaskedLM"/> with the one training engine: before each
/// stage the encoder grows to the stage's depth (new layers copied from the top layers or freshly initialised),
/// the stage's parameters train while the rest are frozen, and layers below the lowest trainable one run
/// forward-only. All stages share the plan's learning-rate schedule and carry AdamW moments unless a stage
/// resets them. With a checkpoint folder, a run killed in the middle of any stage resumes from its last checkpoint.
/// </summary>
public sealed class StagedBertTrainer
{
    private const string StateFile = "plan-state.json";
    private readonly TrainingEngine _engine = new();

    /// <summary>Trains <paramref name="model"/> (built at the first stage's depth) in place through <paramref name="plan"/>.</summary>
    public StagedTrainingReport Train(
        MLContext mlContext,
        BertForMaskedLM model,
        TrainingPlan plan,
        MaskedLanguageModelObjective objective,
        IDataView trainData,
        IDataView? validationData,
        StagedTrainingSettings settings,
        IProgress<StagedTrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(plan);
        plan.Validate();
        if (plan.Stages.Any(s => s.Architecture != EncoderArchitecture.Full))
        {
            throw new NotSupportedException($"Plan '{plan.Name}' has relaxed-architecture stages; the masked-LM staged trainer runs full-architecture stages only.");
        }

        if (model.Bert.Encoder.Count != plan.Stages[0].Depth)
        {
            throw new ArgumentException($"The model has {model.Bert.Encoder.Count} encoder layers but the plan's first stage needs {plan.Stages[0].Depth}.", nameof(model));
        }

        if (settings.Resume && settings.CheckpointDirectory is null)
        {
            throw new ArgumentException("Resume needs CheckpointDirectory.", nameof(settings));
        }

        var (trainingSequences, sequenceLength, tokensPerSequence) = MeasureSequences(trainData, objective.TokenIdsColumn);
        using var carry = new OptimizerStateStore();
        var state = settings.Resume ? RestoreState(model, plan, settings, carry) : new PlanState { PlanJson = plan.ToJson() };
        double secondsBefore = state.Stages.Sum(s => s.TrainingSeconds);
        bool cancelled = false;
        using var log = ((IChannelProvider)mlContext).Start("MLNetExtensions.StagedBertTrainer");

        for (int k = state.CurrentStage; k < plan.Stages.Count && !cancelled; k++)
        {
            var stage = plan.Stages[k];
            bool resumingThisStage = settings.Resume && k == state.CurrentStage && File.Exists(StageCheckpoint(settings, k));
            Grow(model, stage, settings.Seed, k);
            if (stage.ResetOptimizerState && !resumingThisStage)
            {
                carry.Clear();
            }

            if (settings.CheckpointDirectory is { } directory && !resumingThisStage)
            {
                Directory.CreateDirectory(directory);
                carry.Save(CarryFile(settings, k));
                state.CurrentStage = k;
                WriteState(settings, state);
            }

            long stepsBefore = plan.Stages.Take(k).Sum(s => (long)s.Steps);
            int trainable = stage.TrainableLayerCount;
            objective.FrozenBelowLayer = stage.TrainEmbeddings ? 0 : stage.Depth - trainable;
            objective.FreezeEmbeddings = !stage.TrainEmbeddings;
            var groups = SelectGroups(model, stage);
            var options = new TrainingOptions
            {
                BatchSize = settings.BatchSize,
                MaxSteps = stage.Steps,
                LearningRate = plan.Schedule.PeakLearningRate,
                WarmupSteps = plan.Schedule.WarmupSteps,
                Decay = plan.Schedule.Decay,
                FinalLearningRateFraction = plan.Schedule.FinalFraction,
                ScheduleOffsetSteps = stepsBefore,
                ScheduleTotalSteps = plan.TotalSteps,
                WeightDecay = settings.WeightDecay,
                MaxGradientNorm = settings.MaxGradientNorm,
                Seed = unchecked(settings.Seed + (7919 * k)),
                ValidateEveryNSteps = validationData is null ? null : settings.ValidateEveryNSteps,
                Threads = settings.Threads,
                LogEveryNSteps = settings.LogEveryNSteps,
                CheckpointPath = settings.CheckpointDirectory is null ? null : StageCheckpoint(settings, k),
                CheckpointEveryNSteps = settings.CheckpointDirectory is null ? null : settings.CheckpointEveryNSteps,
                ResumeFromCheckpoint = resumingThisStage ? StageCheckpoint(settings, k) : null,
                OptimizerStateCarry = carry,
            };

            TimeSpan evaluationBefore = objective.EvaluationTime;
            double stageSecondsBefore = secondsBefore;
            var stageProgress = new StageProgress(k, plan, stage, stepsBefore, progress, point =>
            {
                double seconds = stageSecondsBefore + (point.Elapsed - (objective.EvaluationTime - evaluationBefore)).TotalSeconds;
                state.Validations.Add(new ValidationPoint(
                    k,
                    stepsBefore + point.Step,
                    seconds,
                    point.Metrics.GetValueOrDefault(MaskedLanguageModelObjective.ValidationLossMetric, double.NaN),
                    point.Metrics.GetValueOrDefault(MaskedLanguageModelObjective.ValidationAccuracyMetric, double.NaN)));
            });

            var result = _engine.Train(mlContext, model, objective, trainData, validationData, groups, options, stageProgress, cancellationToken);
            // After a resume, the stage's time covers the part run in this process.
            double trainingSeconds = (result.Elapsed - (objective.EvaluationTime - evaluationBefore)).TotalSeconds;

            secondsBefore += trainingSeconds;
            cancelled = result.Cancelled;
            var metrics = result.LastValidationMetrics;
            double flops = BertStepCostModel.TrainingStepFlops(
                model.Config, stage.Depth, trainable, stage.TrainEmbeddings, settings.BatchSize * tokensPerSequence, sequenceLength, settings.BatchSize * tokensPerSequence * 0.15);
            state.Stages.Add(new StageReport
            {
                Name = stage.Name,
                Depth = stage.Depth,
                TrainableLayers = trainable,
                TrainedEmbeddings = stage.TrainEmbeddings,
                Steps = result.Steps,
                TrainingSeconds = trainingSeconds,
                PredictedFlopsPerStep = flops,
                FinalTrainingLoss = result.StepLosses.Count == 0 ? double.NaN : result.StepLosses.TakeLast(20).Average(l => (double)l),
                ValidationLoss = metrics?.GetValueOrDefault(MaskedLanguageModelObjective.ValidationLossMetric, double.NaN) ?? double.NaN,
                ValidationAccuracy = metrics?.GetValueOrDefault(MaskedLanguageModelObjective.ValidationAccuracyMetric, double.NaN) ?? double.NaN,
            });

            LogStage(log, state.Stages, k);
            if (settings.CheckpointDirectory is not null && !cancelled)
            {
                state.CurrentStage = k + 1;
                WriteState(settings, state);
            }
        }

        return new StagedTrainingReport
        {
            Plan = plan,
            Stages = state.Stages,
            Validations = state.Validations,
            TrainingSequences = (int)trainingSequences,
            ValidationSequences = validationData is null ? 0 : (int)DataViewRowCount.Count(validationData),
            TrainingTokens = (long)(tokensPerSequence * trainingSequences),
            Cancelled = cancelled,
        };
    }

    /// <summary>The trainable parameter groups of a stage: the top layers, and the embeddings and head when the stage trains them.</summary>
    internal static IReadOnlyList<ParameterGroup> SelectGroups(BertForMaskedLM model, TrainingStage stage)
    {
        int lowestTrainable = stage.Depth - stage.TrainableLayerCount;
        var groups = new List<ParameterGroup>();
        foreach (var group in model.GetParameterGroups())
        {
            bool trains = group.Kind switch
            {
                BertParameterGroupKind.Embeddings => stage.TrainEmbeddings,
                BertParameterGroupKind.EncoderLayer => group.LayerIndex >= lowestTrainable,
                BertParameterGroupKind.MlmHead => stage.TrainHead,
                _ => false,
            };
            if (trains)
            {
                groups.Add(new ParameterGroup(group.Name, group.Parameters.Select(p => p.Parameter)));
            }
        }

        return groups;
    }

    /// <summary>Logs the stage's measured step time next to the FLOP model's prediction at the first stage's measured FLOP rate.</summary>
    private static void LogStage(IChannel log, IReadOnlyList<StageReport> stages, int index)
    {
        var stage = stages[^1];
        var reference = stages[0];
        double flopsPerMillisecond = reference.MillisecondsPerStep > 0 ? reference.PredictedFlopsPerStep / reference.MillisecondsPerStep : double.NaN;
        log.Info(
            MessageSensitivity.None,
            $"Stage {index} ('{stage.Name}'): depth {stage.Depth}, {stage.TrainableLayers} trainable layer(s), embeddings {(stage.TrainedEmbeddings ? "train" : "frozen")}; " +
            $"{stage.MillisecondsPerStep:F0} ms/step measured, {stage.PredictedFlopsPerStep / flopsPerMillisecond:F0} ms/step predicted by the FLOP model " +
            $"({stage.PredictedFlopsPerStep / 1e9:F2} GFLOP/step at stage 0's {flopsPerMillisecond / 1e6:F1} GFLOP/s); validation MLM loss {stage.ValidationLoss:F3}.");
    }

    private static void Grow(BertForMaskedLM model, TrainingStage stage, int seed, int stageIndex)
    {
        int missing = stage.Depth - model.Bert.Encoder.Count;
        if (missing <= 0)
        {
            return;
        }

        using var generator = new Generator(unchecked((ulong)(seed + (104729L * (stageIndex + 1)))));
        model.Bert.Encoder.AppendLayers(missing, stage.NewLayers, generator);
    }

    /// <summary>One pass over the training sequences: their number, the longest length and the mean length.</summary>
    private static (long Rows, double Length, double Tokens) MeasureSequences(IDataView data, string column)
    {
        long rows = 0;
        long tokens = 0;
        int longest = 0;
        using var cursor = data.GetRowCursor(data.Schema.Where(c => c.Name == column));
        var getter = cursor.GetGetter<Microsoft.ML.Data.VBuffer<int>>(data.Schema[column]);
        Microsoft.ML.Data.VBuffer<int> buffer = default;
        while (cursor.MoveNext())
        {
            getter(ref buffer);
            rows++;
            tokens += buffer.Length;
            longest = Math.Max(longest, buffer.Length);
        }

        return rows == 0 ? (0, 0, 0) : (rows, longest, (double)tokens / rows);
    }


    private static string StageCheckpoint(StagedTrainingSettings settings, int stage) => Path.Combine(settings.CheckpointDirectory!, $"stage-{stage}.ckpt");

    private static string CarryFile(StagedTrainingSettings settings, int stage) => Path.Combine(settings.CheckpointDirectory!, $"optimizer-before-stage-{stage}.bin");

    private static void WriteState(StagedTrainingSettings settings, PlanState state)
    {
        string path = Path.Combine(settings.CheckpointDirectory!, StateFile);
        string temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(state));
        File.Move(temporary, path, overwrite: true);
    }

    private static PlanState RestoreState(BertForMaskedLM model, TrainingPlan plan, StagedTrainingSettings settings, OptimizerStateStore carry)
    {
        string path = Path.Combine(settings.CheckpointDirectory!, StateFile);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Resume was asked for, but '{path}' does not exist: no staged run was checkpointed in CheckpointDirectory '{settings.CheckpointDirectory}'.", path);
        }

        PlanState state;
        try
        {
            state = JsonSerializer.Deserialize<PlanState>(File.ReadAllText(path)) ?? throw new InvalidDataException($"'{path}' is empty.");
        }
        catch (JsonException exception)
        {
            throw new InvalidDataException($"'{path}' is not a staged-training state file: {exception.Message}", exception);
        }

        if (state.PlanJson != plan.ToJson())
        {
            throw new InvalidOperationException($"The checkpoints in '{settings.CheckpointDirectory}' were written by another plan; resume with the same plan.");
        }

        int k = state.CurrentStage;
        if (k > 0)
        {
            // The weights at the start of stage k are those at the end of stage k − 1.
            for (int i = 1; i < k; i++)
            {
                Grow(model, plan.Stages[i], settings.Seed, i);
            }

            using var previous = TrainingCheckpoint.Load(StageCheckpoint(settings, k - 1));
            var target = model.state_dict();
            using var noGrad = no_grad();
            foreach (var (name, tensor) in previous.ModelTensors)
            {
                target[name].copy_(tensor);
            }
        }

        if (k < plan.Stages.Count)
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

        public List<StageReport> Stages { get; set; } = new();

        public List<ValidationPoint> Validations { get; set; } = new();
    }

    /// <summary>Forwards engine reports with the stage's position, and records validations.</summary>
    private sealed class StageProgress : IProgress<TrainingProgress>
    {
        private readonly int _stage;
        private readonly TrainingPlan _plan;
        private readonly TrainingStage _trainingStage;
        private readonly long _stepsBefore;
        private readonly IProgress<StagedTrainingProgress>? _outer;
        private readonly Action<TrainingProgress> _onValidation;

        public StageProgress(int stage, TrainingPlan plan, TrainingStage trainingStage, long stepsBefore, IProgress<StagedTrainingProgress>? outer, Action<TrainingProgress> onValidation)
        {
            _stage = stage;
            _plan = plan;
            _trainingStage = trainingStage;
            _stepsBefore = stepsBefore;
            _outer = outer;
            _onValidation = onValidation;
        }

        public void Report(TrainingProgress value)
        {
            if (value.Kind == TrainingProgressKind.Validation)
            {
                _onValidation(value);
            }

            _outer?.Report(new StagedTrainingProgress(_stage, _plan.Stages.Count, _trainingStage.Name, _stepsBefore, _plan.TotalSteps, value));
        }
    }
}
