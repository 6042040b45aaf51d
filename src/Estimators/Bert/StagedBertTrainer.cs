using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLNetExtensions.Transforms.DataView;
using MLNetExtensions.Estimators.Plans;
using MLNetExtensions.Estimators.Training;
using MLNetExtensions.Transforms.Bert;

namespace MLNetExtensions.Estimators.Bert;

/// <summary>
/// Runs a <see cref="TrainingPlan"/> on a <see cref="BertForMaskedLM"/> through the generic <see cref="StagedRunner"/>
/// (schedule, optimiser-state carry, checkpoints, resume) with the BERT side in <see cref="BertStagedModel"/>: before
/// each stage the encoder grows to the stage's depth (or a relaxed model converts to the original BERT), the stage's
/// parameters train while the rest are frozen, and layers below the lowest trainable one run forward-only. This class
/// adds the masked-LM measurements: per-stage reports with the FLOP model's prediction, and the validation curve.
/// </summary>
public sealed class StagedBertTrainer
{
    private readonly StagedRunner _runner = new();

    /// <summary>Trains <paramref name="model"/> (built at the first stage's depth) in place through <paramref name="plan"/>.</summary>
    /// <exception cref="NotSupportedException">The plan converts a relaxed model into the original BERT, which makes a new model: use the overload with <c>out trained</c>.</exception>
    public StagedTrainingReport Train(
        MLContext mlContext,
        BertForMaskedLM model,
        TrainingPlan plan,
        MaskedLanguageModelObjective objective,
        IDataView trainData,
        IDataView? validationData,
        StagedTrainingSettings settings,
        IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.Stages.Any(s => s.Architecture == EncoderArchitecture.Relaxed) && plan.Stages.Any(s => s.Architecture == EncoderArchitecture.Full))
        {
            throw new NotSupportedException($"Plan '{plan.Name}' converts a relaxed model into the original BERT, a new model: call the Train overload with 'out BertForMaskedLM trained'.");
        }

        var report = Train(mlContext, model, plan, objective, trainData, validationData, settings, out _, progress, cancellationToken);
        return report;
    }

    /// <summary>
    /// Trains <paramref name="model"/> (built at the first stage's depth and form) through <paramref name="plan"/>;
    /// <paramref name="trained"/> is the model at the end: <paramref name="model"/> itself, or, when the plan converts
    /// a relaxed model, the original BERT it became (a new model the caller disposes).
    /// </summary>
    public StagedTrainingReport Train(
        MLContext mlContext,
        BertForMaskedLM model,
        TrainingPlan plan,
        MaskedLanguageModelObjective objective,
        IDataView trainData,
        IDataView? validationData,
        StagedTrainingSettings settings,
        out BertForMaskedLM trained,
        IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(objective);
        plan.Validate();
        if (model.Bert.Encoder.Count != plan.Stages[0].Depth)
        {
            throw new ArgumentException($"The model has {model.Bert.Encoder.Count} encoder layers but the plan's first stage needs {plan.Stages[0].Depth}.", nameof(model));
        }

        bool relaxedStart = plan.Stages[0].Architecture == EncoderArchitecture.Relaxed;
        if (relaxedStart != (model.Config.Relaxation is not null))
        {
            throw new ArgumentException(
                relaxedStart
                    ? $"Plan '{plan.Name}' starts with a relaxed stage but the model is an original BERT: build it from a config with a Relaxation."
                    : $"Plan '{plan.Name}' starts with a full stage but the model is relaxed.",
                nameof(model));
        }

        if (relaxedStart && plan.Relaxation is { } planned && planned != model.Config.Relaxation)
        {
            throw new ArgumentException(
                $"Plan '{plan.Name}' trains the relaxation {planned} but the model was built with {model.Config.Relaxation}: build the model from the plan's Relaxation.",
                nameof(model));
        }

        var (trainingSequences, sequenceLength, tokensPerSequence) = MeasureSequences(trainData, objective.TokenIdsColumn);
        var relaxation = model.Config.Relaxation;
        var reports = new List<StageReport>();
        StageReport ToReport(int k, StagedRunStageResult result)
        {
            var stage = plan.Stages[k];
            var config = model.Config with { Relaxation = stage.Architecture == EncoderArchitecture.Relaxed ? relaxation : null };
            double flops = BertStepCostModel.TrainingStepFlops(
                config, stage.Depth, stage.TrainableLayerCount, stage.TrainEmbeddings, settings.BatchSize * tokensPerSequence, sequenceLength, settings.BatchSize * tokensPerSequence * 0.15, stage.TrainHead);
            return new StageReport
            {
                Name = stage.Name,
                Depth = stage.Depth,
                TrainableLayers = stage.TrainableLayerCount,
                TrainedEmbeddings = stage.TrainEmbeddings,
                Steps = result.Steps,
                TrainingSeconds = result.TrainingSeconds,
                PredictedFlopsPerStep = flops,
                FinalTrainingLoss = result.FinalTrainingLoss,
                TrainableParameterCount = result.TrainableParameterCount,
                DataParallel = result.DataParallel,
                ValidationLoss = result.Metric(MaskedLanguageModelObjective.ValidationLossMetric),
                ValidationAccuracy = result.Metric(MaskedLanguageModelObjective.ValidationAccuracyMetric),
            };
        }

        using var log = ((IChannelProvider)mlContext).Start("MLNetExtensions.StagedBertTrainer");
        var staged = new BertStagedModel(model, plan, objective, settings.Seed, (k, completed) =>
        {
            // Data-parallel, rank 0 alone writes the log.
            if (Training.Distributed.DataParallelEnvironment.IsLeader)
            {
                LogStage(log, completed.Select((r, i) => ToReport(i, r)).ToList(), k);
            }
        });
        var result = _runner.Run(mlContext, staged, RunIdentity(plan, model.Config), plan.ToRunnerStages(), trainData, validationData, settings, progress, cancellationToken);
        trained = staged.Model;
        return new StagedTrainingReport
        {
            Plan = plan,
            Stages = result.Stages.Select((r, i) => ToReport(i, r)).ToList(),
            Validations = result.Validations.Select(v => new ValidationPoint(
                v.Stage,
                v.PlanStep,
                v.TrainingSeconds,
                v.Metric(MaskedLanguageModelObjective.ValidationLossMetric),
                v.Metric(MaskedLanguageModelObjective.ValidationAccuracyMetric))).ToList(),
            TrainingSequences = (int)trainingSequences,
            ValidationSequences = validationData is null ? 0 : (int)DataViewRowCount.Count(validationData),
            TrainingTokens = (long)(tokensPerSequence * trainingSequences),
            Cancelled = result.Cancelled,
        };
    }

    /// <summary>The trainable parameter groups of a stage: the top layers, and the embeddings and head when the stage trains them.</summary>
    internal static IReadOnlyList<ParameterGroup> SelectGroups(BertForMaskedLM model, TrainingStage stage) => BertStagedModel.SelectGroups(model, stage);

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

    /// <summary>One pass over the training sequences: their number, the longest length and the mean length.</summary>
    /// <summary>
    /// What a resumed run must share with the checkpointed one: the plan, and the model's configuration (sizes, dropout,
    /// layer-norm placement, …), whose tensors the checkpoints hold but whose meaning the engine's settings do not cover.
    /// </summary>
    private static string RunIdentity(TrainingPlan plan, BertConfig config) => plan.ToJson() + "\n" + config.ToJson();

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
}
