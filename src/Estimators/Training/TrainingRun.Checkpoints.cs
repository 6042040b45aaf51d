using MLNetExtensions.Transforms.DataView;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExtensions.Estimators.Training;

/// <summary>Checkpoints of a run: when to write them (on the leader only, data-parallel), what they hold, and resuming from one.</summary>
internal sealed partial class TrainingRun<TBatch>
{
    private void MaybeWriteCheckpoint()
    {
        if (_options.CheckpointPath is null)
        {
            return;
        }

        bool byStep = _options.CheckpointEveryNSteps is int every && _step % every == 0;
        bool byTime = _options.CheckpointInterval is TimeSpan interval && _clock.Elapsed - _lastCheckpointTime >= interval;
        if (_dataParallel is not null && _options.CheckpointInterval is not null)
        {
            // The ranks' clocks differ: checkpoint when any rank's interval has passed, all together.
            byTime = _dataParallel.Agree(failure: null, byTime, during: string.Empty);
        }

        if (byStep || byTime)
        {
            WriteCheckpoint();
        }
    }

    /// <summary>Writes the checkpoint on the leader (rank 0) only: the other ranks hold the same weights and state.</summary>
    private void WriteCheckpoint()
    {
        Collectively($"writing the checkpoint at step {_step}", () =>
        {
            if (_dataParallel is null || _dataParallel.IsLeader)
            {
                WriteCheckpointFile();
            }
        });
        _lastCheckpointPath = _options.CheckpointPath;
        _lastCheckpointStep = _step;
        _lastCheckpointTime = _clock.Elapsed;
    }

    private void WriteCheckpointFile()
    {
        string path = _options.CheckpointPath!;
        var named = _parameters!.StateView();

        byte[] rngState;
        using (var rng = torch.random.get_rng_state())
        {
            rngState = rng.bytes.ToArray();
        }

        byte[]? objectiveState = null;
        if (_objective is ICheckpointableObjective checkpointable)
        {
            using var buffer = new MemoryStream();
            using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true))
            {
                checkpointable.WriteState(writer);
            }

            objectiveState = buffer.ToArray();
        }

        using var checkpoint = new TrainingCheckpoint(ownsTensors: false)
        {
            OptionsFingerprint = _fingerprint,
            Seed = _seed,
            GlobalStep = _step,
            TotalSteps = _totalSteps,
            Epoch = _reader!.Epoch,
            BatchesInEpoch = _reader.BatchesInEpoch,
            ExamplesSeen = _examplesSeen,
            ModelTensors = _model.state_dict(),
            OptimizerState = named,
            TorchRngState = rngState,
            BestModelTensors = _bestWeights,
            BestMetric = _earlyStopping?.Best,
            BestStep = _earlyStopping?.BestStep,
            ValidationsWithoutImprovement = _earlyStopping?.ValidationsWithoutImprovement ?? 0,
            LastValidationStep = _lastValidationStep,
            EarlyStopped = _earlyStopped,
            ObjectiveState = objectiveState,
        };
        CheckpointSerializer.Write(path, checkpoint, _engine.CheckpointStreamDecorator);
        _logger.Report(Progress(TrainingProgressKind.Checkpoint) with { CheckpointPath = path });
    }

    private void Resume(TrainingCheckpoint checkpoint, string path)
    {
        CheckModelTensors(checkpoint.ModelTensors, path, "model");
        var differences = OptionsFingerprint.Differences(checkpoint.OptionsFingerprint, _fingerprint);
        if (differences.Count > 0)
        {
            throw new InvalidOperationException(
                $"Checkpoint '{path}' was written by a run with different settings, so resuming would not continue that run: " +
                string.Join("; ", differences) + ".");
        }

        if (checkpoint.BestModelTensors is not null)
        {
            CheckModelTensors(checkpoint.BestModelTensors, path, "best-weights");
        }

        _parameters!.CheckStateFits(checkpoint.OptimizerState, $"Checkpoint '{path}'");

        // Everything fits: apply.
        CopyInto(_model.state_dict(), checkpoint.ModelTensors);
        _parameters.LoadState(checkpoint.OptimizerState);

        if (checkpoint.TorchRngState.Length > 0)
        {
            using var rng = torch.tensor(checkpoint.TorchRngState, dtype: ScalarType.Byte);
            torch.random.set_rng_state(rng);
        }

        if (checkpoint.ObjectiveState is not null)
        {
            if (_objective is ICheckpointableObjective checkpointable)
            {
                using var reader = new BinaryReader(new MemoryStream(checkpoint.ObjectiveState, writable: false));
                checkpointable.ReadState(reader);
            }
            else
            {
                _logger.Warning($"Checkpoint '{path}' holds objective state, but the objective does not implement ICheckpointableObjective; it is ignored.");
            }
        }

        _earlyStopping?.Restore(checkpoint.BestMetric, checkpoint.BestStep, checkpoint.ValidationsWithoutImprovement);
        if (checkpoint.BestModelTensors is not null && _options.EarlyStopping?.RestoreBestWeights == true)
        {
            DisposeBestWeights();
            _bestWeights = Snapshot(checkpoint.BestModelTensors);
        }

        _step = checkpoint.GlobalStep;
        _examplesSeen = checkpoint.ExamplesSeen;
        _lastValidationStep = checkpoint.LastValidationStep;
        _earlyStopped = checkpoint.EarlyStopped;
        _lastCheckpointStep = checkpoint.GlobalStep;
        _resumedFrom = checkpoint.GlobalStep;
        _reader!.Seek(checkpoint.Epoch, checkpoint.BatchesInEpoch);
    }

    private void CheckModelTensors(IReadOnlyDictionary<string, Tensor> saved, string path, string what)
    {
        var current = _model.state_dict();
        foreach (var (name, tensor) in current)
        {
            if (!saved.TryGetValue(name, out var stored))
            {
                throw new InvalidOperationException(
                    $"Checkpoint '{path}' does not fit this model: its {what} tensors have no '{name}' " +
                    $"({TensorSerializer.FormatShape(tensor.shape)} {tensor.dtype} in the model).");
            }

            if (!stored.shape.SequenceEqual(tensor.shape) || stored.dtype != tensor.dtype)
            {
                throw new InvalidOperationException(
                    $"Checkpoint '{path}' does not fit this model: {what} tensor '{name}' is {TensorSerializer.FormatShape(stored.shape)} {stored.dtype} " +
                    $"in the checkpoint but {TensorSerializer.FormatShape(tensor.shape)} {tensor.dtype} in the model.");
            }
        }

        foreach (string name in saved.Keys)
        {
            if (!current.ContainsKey(name))
            {
                throw new InvalidOperationException(
                    $"Checkpoint '{path}' does not fit this model: its {what} tensors include '{name}', which the model does not have.");
            }
        }
    }

    private static void CopyInto(IReadOnlyDictionary<string, Tensor> targets, IReadOnlyDictionary<string, Tensor> sources)
    {
        using (no_grad())
        {
            foreach (var (name, target) in targets)
            {
                target.copy_(sources[name]);
            }
        }
    }

    private static Dictionary<string, Tensor> Snapshot(IReadOnlyDictionary<string, Tensor> tensors)
    {
        var copy = new Dictionary<string, Tensor>(tensors.Count);
        using (no_grad())
        {
            foreach (var (name, tensor) in tensors)
            {
                copy[name] = tensor.detach().clone().DetachFromDisposeScope();
            }
        }

        return copy;
    }

    private void DisposeBestWeights()
    {
        if (_bestWeights is null)
        {
            return;
        }

        foreach (var tensor in _bestWeights.Values)
        {
            tensor.Dispose();
        }

        _bestWeights = null;
    }
}
