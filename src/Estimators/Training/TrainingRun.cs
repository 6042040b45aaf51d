using System.Diagnostics;
using Microsoft.ML;
using MLNetExtensions.Estimators.Training.Distributed;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExtensions.Estimators.Training;

/// <summary>
/// One execution of <see cref="TrainingEngine.Train{TBatch}"/>: set-up (columns, groups, optimizer, resume),
/// the step loop, validation, checkpoints and clean-up. Not reusable. Columns and run length are in
/// TrainingRun.Setup.cs, checkpoint writing and resume in TrainingRun.Checkpoints.cs, validation and early stopping in
/// TrainingRun.Validation.cs, one optimiser step in TrainingRun.Step.cs, step reports in TrainingRun.Progress.cs.
/// </summary>
internal sealed partial class TrainingRun<TBatch> : IDisposable
{
    private readonly TrainingEngine _engine;
    private readonly MLContext _mlContext;
    private readonly nn.Module _model;
    private readonly ITrainingObjective<TBatch> _objective;
    private readonly IDataView _trainData;
    private readonly IDataView? _validationData;
    private readonly IReadOnlyList<ParameterGroup> _groups;
    private readonly TrainingOptions _options;
    private readonly CancellationToken _cancellationToken;
    private readonly TrainingLogger _logger;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private readonly List<float> _stepLosses = new();
    private readonly EarlyStoppingTracker? _earlyStopping;

    private string[] _trainColumns = [];
    private string[] _validationColumns = [];
    private TrainableParameters? _parameters;
    private BatchReader<TBatch>? _reader;
    private DataParallelRun? _dataParallel;
    private LearningRateSchedule? _schedule;
    private Dictionary<string, Tensor>? _bestWeights;
    private bool _originalTrainingMode;
    private bool _trainingModeChanged;

    private int _seed;
    private long _totalSteps;
    private long? _stepsPerEpoch;
    private string _fingerprint = string.Empty;
    private long _step;
    private long _examplesSeen;
    private long? _resumedFrom;
    private long _lastValidationStep = -1;
    private bool _earlyStopped;
    private IReadOnlyDictionary<string, double>? _lastMetrics;
    private string? _lastCheckpointPath;
    private long _lastCheckpointStep = -1;
    private TimeSpan _lastCheckpointTime;
    private double _lastLoss = double.NaN;
    private double _lastLearningRate = double.NaN;
    private double? _lastGradientNorm;

    // Step-report window and epoch accumulators (this call only).
    private double _windowLoss;
    private long _windowSteps;
    private long _windowRows;
    private TimeSpan _windowStart;
    private double _epochLoss;
    private long _epochSteps;
    private TimeSpan _loopStart;
    private long _loopStartStep;

    public TrainingRun(
        TrainingEngine engine,
        MLContext mlContext,
        nn.Module model,
        ITrainingObjective<TBatch> objective,
        IDataView trainData,
        IDataView? validationData,
        IReadOnlyList<ParameterGroup> groups,
        TrainingOptions options,
        IProgress<TrainingProgress>? progress,
        CancellationToken cancellationToken)
    {
        _engine = engine;
        _mlContext = mlContext;
        _model = model;
        _objective = objective;
        _trainData = trainData;
        _validationData = validationData;
        _groups = groups;
        _options = options;
        _cancellationToken = cancellationToken;
        _logger = new TrainingLogger(mlContext, progress, writesLog: DataParallelEnvironment.IsLeader || options.DataParallel == DataParallelMode.Off);
        _earlyStopping = options.EarlyStopping is { } early ? new EarlyStoppingTracker(early) : null;
    }

    public TrainingResult Execute()
    {
        ResolveColumns();
        _parameters = new TrainableParameters(_model, _groups, _options);
        var parameters = _parameters;
        _dataParallel = DataParallelRun.Create(_options, parameters.Trainable);
        int ranks = _dataParallel?.Size ?? 1;
        torch.set_num_threads(_options.NumberOfThreads ?? (_dataParallel is null ? Environment.ProcessorCount : Math.Max(1, Environment.ProcessorCount / DataParallelEnvironment.LocalSize)));
        ComputeLength();

        TrainingCheckpoint? resumeFrom = null;
        Collectively("reading the checkpoint to resume from", () => resumeFrom = _options.ResumeFromCheckpoint is { } resumePath ? TrainingCheckpoint.Load(resumePath) : null);
        using var resumeCheckpoint = resumeFrom; // frees it if setting up fails before it is applied
        _seed = TrainingEngine.ResolveSeed(_mlContext, _options) ?? resumeFrom?.Seed ?? Random.Shared.Next();
        _seed = _dataParallel?.AgreeOnSeed(_seed) ?? _seed;
        long scheduleSteps = _options.Stage?.ScheduleTotalSteps ?? _totalSteps;
        long warmupSteps = _options.WarmupSteps > 0 ? _options.WarmupSteps : (long)Math.Floor(_options.WarmupFraction * scheduleSteps);
        _schedule = new LearningRateSchedule(_options.LearningRate, scheduleSteps, warmupSteps, _options.Decay, _options.FinalLearningRateFraction);
        _fingerprint = OptionsFingerprint.Create(_options, _groups, _seed, _totalSteps, ranks);
        _reader = new BatchReader<TBatch>(_mlContext, _trainData, _trainColumns, _objective, _options, _seed, _dataParallel?.Rank ?? 0, ranks);
        Collectively("resuming from the checkpoint", () =>
        {
            if (resumeFrom is not null)
            {
                Resume(resumeFrom, _options.ResumeFromCheckpoint!);
            }
            else
            {
                _options.Stage?.OptimizerStateCarry?.ApplyTo(parameters);
            }
        });

        // Resuming copied everything it needs (weights, Adam's moments, best weights): free the checkpoint's tensors now,
        // not when training ends, so that a resumed run does not hold a second copy of the model throughout.
        resumeFrom?.Dispose();

        if (_dataParallel is { } dataParallel)
        {
            string checkpointing = _options.CheckpointPath is null
                ? "none"
                : $"every {_options.CheckpointEveryNSteps?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"} steps, every {_options.CheckpointInterval?.Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"} ticks";
            dataParallel.CheckSameRun(_totalSteps, parameters.TrainableCount, _fingerprint, _step, checkpointing);
            dataParallel.BroadcastModel(_model);
            _logger.Info(
                $"Data-parallel over {dataParallel.Size} MPI ranks: batch size {_options.BatchSize} per rank ({_options.BatchSize * dataParallel.Size} per step), " +
                $"{dataParallel.GradientBytesPerStep / 1e6:F2} MB of gradients all-reduced per step.");
        }

        _logger.Info(
            $"Training {parameters.TrainableCount:N0} weights in {_groups.Count} group(s) ({parameters.FrozenCount:N0} frozen); {_totalSteps} steps" +
            (_stepsPerEpoch is long spe ? $" ({spe} per epoch)" : string.Empty) + $", seed {_seed}" +
            (_resumedFrom is long from ? $", resumed at step {from}" : string.Empty) + ".");

        _originalTrainingMode = _model.training;
        _trainingModeChanged = true;
        _model.train();
        _loopStart = _windowStart = _clock.Elapsed;
        _loopStartStep = _step;
        _lastCheckpointTime = _clock.Elapsed;

        bool cancelled = RunLoop();

        if (!cancelled && !_earlyStopped && _validationData is not null && _lastValidationStep != _step && _step > 0)
        {
            Validate();
        }

        if (_options.CheckpointPath is not null && (_lastCheckpointStep != _step || cancelled))
        {
            WriteCheckpoint();
        }

        if (_dataParallel is { } communicated)
        {
            var statistics = communicated.Statistics;
            _logger.Info(
                $"Data-parallel communication: {statistics.AllReduceBytesPerStep:N0} bytes all-reduced per step over {statistics.Ranks} ranks, " +
                $"{statistics.AllReduceMillisecondsPerStep:F2} ms per step in Allreduce ({statistics.Steps} steps).");
        }

        _options.Stage?.OptimizerStateCarry?.CaptureFrom(parameters);

        bool restored = false;
        if (!cancelled && _options.EarlyStopping?.RestoreBestWeights == true && _bestWeights is not null && _earlyStopping?.BestStep != _step)
        {
            CopyInto(_model.state_dict(), _bestWeights);
            restored = true;
            _logger.Info($"Restored the weights of step {_earlyStopping?.BestStep} ({_options.EarlyStopping.Metric} {_earlyStopping?.Best:G5}).");
        }

        _logger.Report(Progress(TrainingProgressKind.Finished) with { Metrics = _lastMetrics ?? new Dictionary<string, double>() });

        return new TrainingResult
        {
            Steps = _step,
            TotalSteps = _totalSteps,
            StepsThisRun = _step - _loopStartStep,
            EpochsCompleted = _reader.Epoch,
            BatchesInEpoch = _reader.BatchesInEpoch,
            Seed = _seed,
            FinalLoss = _lastLoss,
            StepLosses = _stepLosses.ToArray(),
            LastValidationMetrics = _lastMetrics,
            BestMetric = _earlyStopping?.Best,
            BestStep = _earlyStopping?.BestStep,
            Cancelled = cancelled,
            StoppedEarly = _earlyStopped,
            RestoredBestWeights = restored,
            ResumedFromStep = _resumedFrom,
            LastCheckpointPath = _lastCheckpointPath,
            TrainableParameterCount = parameters.TrainableCount,
            FrozenParameterCount = parameters.FrozenCount,
            Elapsed = _clock.Elapsed,
            DataParallel = _dataParallel?.Statistics,
        };
    }

    public void Dispose()
    {
        if (_trainingModeChanged)
        {
            _model.train(_originalTrainingMode);
        }

        // Free the gradients of the last step and give the model back with its own requires_grad flags.
        _model.zero_grad(true);
        _parameters?.Dispose();
        _reader?.Dispose();
        _dataParallel?.Dispose();
        DisposeBestWeights();
        _logger.Dispose();
    }

    /// <summary>The step loop. Returns true when it stopped because of cancellation.</summary>
    private bool RunLoop()
    {
        var reader = _reader!;
        if (_earlyStopped)
        {
            return false;
        }

        while (_step < _totalSteps)
        {
            if (!TryReadBatch(out int rows, out bool cancelled))
            {
                if (cancelled)
                {
                    _logger.Info($"Cancelled at step {_step}.");
                    return true;
                }

                if (reader.BatchesInEpoch == 0)
                {
                    // Without a counted epoch (MaxSteps alone) the rows are counted only now, so that the error can say whether
                    // the data is empty or too short for one full batch.
                    throw EmptyData(Transforms.DataView.DataViewRowCount.Count(_trainData));
                }

                if (_stepsPerEpoch is long expected)
                {
                    throw new InvalidOperationException(
                        $"Epoch {reader.Epoch} of the training data ended after {reader.BatchesInEpoch} batches, but {expected} were counted: " +
                        "the data view returned fewer rows than it reported.");
                }

                EndEpoch();
                if (_earlyStopped)
                {
                    break;
                }

                continue;
            }

            TrainStep(rows);

            // Without a counted epoch length (MaxSteps alone), a short last batch still ends its epoch here, not at the
            // next read: a checkpoint written now would otherwise record a batch position past the epoch's rows.
            if ((_stepsPerEpoch is long perEpoch && reader.BatchesInEpoch >= perEpoch) || reader.EpochDataExhausted)
            {
                EndEpoch();
            }

            if (!_earlyStopped && _validationData is not null && _options.ValidateEveryNSteps is int every && _step % every == 0)
            {
                Validate();
            }

            if (_earlyStopped)
            {
                break;
            }

            MaybeWriteCheckpoint();
        }

        return false;
    }

    /// <summary>
    /// Fills the next batch unless cancellation was asked for. Data-parallel, the ranks agree on both: a rank that failed
    /// to read stops them all, and a cancel on any rank cancels all (the filled batch is then not trained on, and a
    /// checkpoint written at the cancel records the position before it).
    /// </summary>
    /// <returns>False at the end of the epoch or when cancelled (<paramref name="cancelled"/>).</returns>
    private bool TryReadBatch(out int rows, out bool cancelled)
    {
        bool cancelRequested = _cancellationToken.IsCancellationRequested || Catalogs.CatalogContext.IsExecutionCancelled(_mlContext);
        if (_dataParallel is null)
        {
            rows = 0;
            cancelled = cancelRequested;
            return !cancelled && _reader!.TryFill(out rows);
        }

        Exception? failure = null;
        bool filled = false;
        rows = 0;
        try
        {
            filled = _reader!.TryFill(out rows);
        }
        catch (Exception e)
        {
            failure = e;
        }

        cancelled = _dataParallel.Agree(failure, cancelRequested, $"reading the batch of step {_step}");
        return filled && !cancelled;
    }

    /// <summary>
    /// Runs <paramref name="action"/>; data-parallel, every rank then learns whether it failed anywhere and all stop
    /// together with that error, instead of the other ranks waiting forever in their next collective.
    /// </summary>
    private void Collectively(string during, Action action)
    {
        if (_dataParallel is null)
        {
            action();
            return;
        }

        _dataParallel.Collectively(during, action);
    }

    private void EndEpoch()
    {
        var reader = _reader!;
        _logger.Report(Progress(TrainingProgressKind.Epoch) with { AverageLoss = _epochSteps > 0 ? _epochLoss / _epochSteps : double.NaN });
        _epochLoss = 0;
        _epochSteps = 0;
        reader.NextEpoch();
        if (_validationData is not null && _options.ValidateEveryNSteps is null)
        {
            Validate();
        }
    }



}
