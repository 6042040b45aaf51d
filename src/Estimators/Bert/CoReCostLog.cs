using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLNetExtensions.Estimators.Plans;
using MLNetExtensions.Transforms.Bert;

namespace MLNetExtensions.Estimators.Bert;

/// <summary>Coarse-refined training's cost figures: parameters and FLOPs per step of the relaxed and of the full model, logged and added to the report.</summary>
internal static class CoReCostLog
{
    public static StagedTrainingReport Describe(MLContext mlContext, BertForMaskedLM relaxedModel, TrainingPlan plan, StagedTrainingReport report, int batchSize, int sequenceLength)
    {
        long relaxedParameters = relaxedModel.parameters().Sum(p => p.numel());
        long fullParameters = RelaxedBertConversion.FullParameterCount(relaxedModel);
        var relaxedConfig = relaxedModel.Config with { NumHiddenLayers = plan.FinalDepth };
        var fullConfig = relaxedConfig with { Relaxation = null };
        double tokens = (double)report.TrainingTokens / Math.Max(1, report.TrainingSequences) * batchSize;
        double Flops(BertConfig config) => BertStepCostModel.TrainingStepFlops(config, plan.FinalDepth, plan.FinalDepth, true, tokens, sequenceLength, tokens * 0.15);
        using var log = ((IChannelProvider)mlContext).Start("MLNetExtensions.CoReBert");
        // Data-parallel, rank 0 alone writes the log.
        if (Training.Distributed.DataParallelEnvironment.IsLeader)
        {
            log.Info(
                MessageSensitivity.None,
                $"CoRe: relaxed model ({relaxedConfig.Relaxation!.Attention} attention, feed-forward rank {relaxedConfig.Relaxation.FeedForwardRank}) {relaxedParameters:N0} weights, " +
                $"{Flops(relaxedConfig) / 1e9:F2} GFLOP/step at depth {plan.FinalDepth}; original BERT {fullParameters:N0} weights, {Flops(fullConfig) / 1e9:F2} GFLOP/step.");
        }

        return report with { RelaxedParameterCount = relaxedParameters, FullParameterCount = fullParameters };
    }
}
