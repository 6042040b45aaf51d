using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExtensions.Estimators.Training;

/// <summary>
/// One optimiser step of a run: the scheduled learning rate, forward and backward on this rank's batch, the data-parallel
/// gradient average, clipping and the AdamW update, then the step's bookkeeping.
/// </summary>
internal sealed partial class TrainingRun<TBatch>
{
    private void TrainStep(int rows)
    {
        var reader = _reader!;
        double learningRate = _schedule!.LearningRateAt((_options.Stage?.ScheduleOffsetSteps ?? 0) + _step);
        var parameters = _parameters!;
        parameters.SetLearningRate(learningRate);

        // Ranks other than 0 draw their own randomness (dropout, masking), as separate processes would.
        long stepSeed = SeedDerivation.ForStep(_dataParallel is { Rank: > 0 } dp ? SeedDerivation.ForRank(_seed, dp.Rank) : _seed, _step);
        var context = new TrainingStepContext(_step, _totalSteps, reader.Epoch, reader.BatchesInEpoch, stepSeed, learningRate, isTraining: true, _options.BatchSize);
        double lossValue = double.NaN;
        long jobRows = rows;
        double? gradientNorm = null;
        using (var scope = NewDisposeScope())
        {
            try
            {
                torch.manual_seed(context.Seed).Dispose();
                Exception? failure = null;
                try
                {
                    lossValue = ComputeGradients(reader, context);
                }
                catch (Exception e) when (_dataParallel is not null)
                {
                    failure = e;
                }

                if (_dataParallel is { } dataParallel)
                {
                    (lossValue, jobRows) = dataParallel.ReduceStepStatus(lossValue, rows, failure, $"at step {_step}");
                    ThrowIfNonFinite(lossValue, context);
                    dataParallel.AverageGradients(rows, jobRows);
                }

                if (_options.MaxGradientNorm is double maxNorm)
                {
                    gradientNorm = nn.utils.clip_grad_norm_(parameters.Trainable, maxNorm);
                }

                _engine.AfterGradientClipping?.Invoke(parameters.Trainable);
                parameters.Step();
            }
            finally
            {
                context.Release();
            }
        }

        _step++;
        _examplesSeen += jobRows;
        _stepLosses.Add((float)lossValue);
        _lastLoss = lossValue;
        _lastLearningRate = learningRate;
        _lastGradientNorm = gradientNorm;
        _windowLoss += lossValue;
        _windowSteps++;
        _windowRows += jobRows;
        _epochLoss += lossValue;
        _epochSteps++;

        if (_step % _options.LogEveryNSteps == 0 || _step == _totalSteps)
        {
            ReportStep();
        }
    }

    /// <summary>Forward and backward pass on the batch filled by the reader; returns this rank's loss.</summary>
    private double ComputeGradients(BatchReader<TBatch> reader, TrainingStepContext context)
    {
        var batch = reader.Build();
        try
        {
            _model.zero_grad(true);
            var loss = _objective.ComputeLoss(batch, context);
            CheckLoss(loss);
            double lossValue = loss.ToDouble();
            if (_dataParallel is null)
            {
                ThrowIfNonFinite(lossValue, context);
            }

            loss.backward();
            return lossValue;
        }
        finally
        {
            (batch as IDisposable)?.Dispose();
        }
    }

    private void ThrowIfNonFinite(double lossValue, TrainingStepContext context)
    {
        if (!double.IsFinite(lossValue) && _options.StopOnNonFiniteLoss)
        {
            throw new InvalidOperationException(
                $"The training loss is {lossValue} at step {_step} (epoch {context.Epoch}, batch {context.BatchInEpoch}). " +
                "Lower the learning rate, turn on gradient clipping (TrainingOptions.MaxGradientNorm) or check the data; " +
                "set TrainingOptions.StopOnNonFiniteLoss = false to continue regardless.");
        }
    }

    private void CheckLoss(Tensor loss)
    {
        if (loss is null)
        {
            throw new InvalidOperationException("ITrainingObjective.ComputeLoss returned null.");
        }

        if (loss.numel() != 1)
        {
            throw new InvalidOperationException(
                $"ITrainingObjective.ComputeLoss must return a tensor with one element; it returned shape {TensorSerializer.FormatShape(loss.shape)}.");
        }

        if (!loss.requires_grad)
        {
            throw new InvalidOperationException(
                "The loss does not depend on any trainable parameter (requires_grad is false): check that the parameter groups hold " +
                "the parameters the loss uses and that the model does not run them under no_grad.");
        }
    }
}
