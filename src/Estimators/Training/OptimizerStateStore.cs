using MLNetExtensions.Transforms.IO;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetExtensions.Estimators.Training;

/// <summary>
/// AdamW moments by parameter name, carried from one training run to the next (see
/// <see cref="StageSegment.OptimizerStateCarry"/>): a staged-training plan keeps the moments of parameters
/// that go on training in the next stage, and keeps those of frozen parameters for a later stage that trains
/// them again. Holds copies; dispose it to free them.
/// </summary>
public sealed class OptimizerStateStore : IDisposable
{
    private const string FileMagic = "MLNetExtensions.OptimizerStateStore/1";
    private readonly Dictionary<string, OptimizerParameterState> _states = new(StringComparer.Ordinal);

    /// <summary>Names of the parameters with a stored state.</summary>
    public IReadOnlyCollection<string> Names => _states.Keys;

    /// <summary>The stored state of <paramref name="name"/>, if any.</summary>
    public OptimizerParameterState? this[string name] => _states.TryGetValue(name, out var state) ? state : null;

    /// <summary>Forgets every stored state (a stage that resets the optimizer).</summary>
    public void Clear()
    {
        foreach (var state in _states.Values)
        {
            state.ExpAvg.Dispose();
            state.ExpAvgSq.Dispose();
        }

        _states.Clear();
    }

    /// <inheritdoc />
    public void Dispose() => Clear();

    /// <summary>Writes the store atomically (staged training saves it with its checkpoints).</summary>
    public void Save(string path) => AtomicFile.Write(path, stream =>
    {
        using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        writer.Write(FileMagic);
        writer.Write(_states.Count);
        foreach (var (name, state) in _states)
        {
            writer.Write(state.Step);
            TensorSerializer.Write(writer, name + "/exp_avg", state.ExpAvg);
            TensorSerializer.Write(writer, name + "/exp_avg_sq", state.ExpAvgSq);
        }
    });

    /// <summary>Replaces the store's content with a file written by <see cref="Save"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not such a file, or is truncated.</exception>
    public void Load(string path)
    {
        Clear();
        try
        {
            using var reader = new BinaryReader(File.OpenRead(path));
            if (reader.ReadString() != FileMagic)
            {
                throw new InvalidDataException($"'{path}' is not an optimizer-state file.");
            }

            int count = reader.ReadInt32();
            for (int i = 0; i < count; i++)
            {
                long step = reader.ReadInt64();
                var (averageName, average) = TensorSerializer.Read(reader);
                var (_, squares) = TensorSerializer.Read(reader);
                _states[averageName[..^"/exp_avg".Length]] = new OptimizerParameterState(step, average, squares);
            }
        }
        catch (EndOfStreamException exception)
        {
            Clear();
            throw new InvalidDataException($"Optimizer-state file '{path}' is truncated.", exception);
        }
    }

    /// <summary>Loads stored moments into the optimizer for trainable parameters that have them (and the same shape).</summary>
    internal void ApplyTo(TrainableParameters parameters) => parameters.LoadState(_states);

    /// <summary>Copies the optimizer's moments of every trainable parameter into the store.</summary>
    internal void CaptureFrom(TrainableParameters parameters)
    {
        foreach (var (name, state) in parameters.StateView())
        {
            if (_states.Remove(name, out var old))
            {
                old.ExpAvg.Dispose();
                old.ExpAvgSq.Dispose();
            }

            _states[name] = new OptimizerParameterState(state.Step, state.ExpAvg.detach().clone().DetachFromDisposeScope(), state.ExpAvgSq.detach().clone().DetachFromDisposeScope());
        }
    }
}
