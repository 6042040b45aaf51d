using Microsoft.ML;
using MLNetExtensions.Transforms.DataView;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExtensions.Estimators.Training;

/// <summary>Validation of a run (the objective's metrics or the mean validation loss) and the early-stopping decision.</summary>
internal sealed partial class TrainingRun<TBatch>
{
    /// <summary>Validates on every rank: the weights are identical, so every rank reaches the same early-stopping decision.</summary>
    private void Validate() => Collectively($"validating at step {_step}", ValidateOnThisRank);

    private void ValidateOnThisRank()
    {
        var validationData = _validationData!;
        var context = new TrainingStepContext(
            _step, _totalSteps, _reader!.Epoch, _reader.BatchesInEpoch, SeedDerivation.ForValidation(_seed, _step), _lastLearningRate, isTraining: false, _options.ValidationBatchSize ?? _options.BatchSize);
        IReadOnlyDictionary<string, double> metrics;
        _model.eval();
        try
        {
            using (no_grad())
            {
                torch.manual_seed(context.Seed).Dispose();
                metrics = _objective.Evaluate(validationData, context) ?? ValidationLoss(validationData, context);
            }
        }
        finally
        {
            _model.train();
            context.Release();
        }

        _lastMetrics = metrics;
        _lastValidationStep = _step;
        _logger.Report(Progress(TrainingProgressKind.Validation) with { Metrics = metrics });

        if (_earlyStopping is null)
        {
            return;
        }

        var early = _options.EarlyStopping!;
        if (!metrics.TryGetValue(early.Metric, out double value))
        {
            throw new InvalidOperationException(
                $"Early stopping watches metric '{early.Metric}', but validation produced only: {string.Join(", ", metrics.Keys.Select(k => $"'{k}'"))}.");
        }

        if (_earlyStopping.Record(value, _step))
        {
            if (early.RestoreBestWeights)
            {
                DisposeBestWeights();
                _bestWeights = Snapshot(_model.state_dict());
            }
        }
        else if (_earlyStopping.ShouldStop)
        {
            _earlyStopped = true;
            _logger.Info(
                $"Early stopping at step {_step}: {early.Metric} did not improve on {_earlyStopping.Best:G5} (step {_earlyStopping.BestStep}) " +
                $"for {_earlyStopping.ValidationsWithoutImprovement} validations.");
        }
    }

    private Dictionary<string, double> ValidationLoss(IDataView validationData, TrainingStepContext context)
    {
        double sum = 0;
        long rows = 0;
        BatchPass.Run(validationData, _validationColumns, _objective.CreateBatchBuilder, context.BatchSize, (batch, count) =>
        {
            sum += _objective.ComputeLoss(batch, context).ToDouble() * count;
            rows += count;
        });

        if (rows == 0)
        {
            throw new InvalidOperationException("The validation data is empty: it has no rows to compute the validation loss on.");
        }

        return new Dictionary<string, double> { [TrainingMetricNames.ValidationLoss] = sum / rows };
    }
}
