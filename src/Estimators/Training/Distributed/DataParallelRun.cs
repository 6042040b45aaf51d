using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Text;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetExtensions.Estimators.Training.Distributed;

/// <summary>
/// The data-parallel side of one training run: identical start on every rank, one decision for the whole job
/// (failure, cancellation), and the all-reduce of the trainable parameters' gradients in a few flat buckets.
/// </summary>
/// <remarks>
/// Every method is a collective: all ranks call it in the same order. A rank that fails tells the others through
/// <see cref="Agree"/> instead of leaving them waiting in the next all-reduce, so the job stops with the error on
/// every rank. Only the gradients of trainable parameters travel, which is why a multi-stage (MSLT) stage that
/// trains its top layers only communicates that much less.
/// </remarks>
internal sealed class DataParallelRun : IDisposable
{
    /// <summary>Flat bucket size, as PyTorch's DistributedDataParallel's default (25 MiB): few calls, bounded extra memory.</summary>
    private const long BucketBytes = 25L * 1024 * 1024;

    /// <summary>Loss sum, row count, gradient-less parameter count and failed-rank count, reduced every step.</summary>
    private const int StepStatusLength = 4;

    /// <summary>Agreements per step: one on reading the batch and cancellation (two longs).</summary>
    private const int AgreementBytesPerStep = 2 * sizeof(long);

    private readonly MpiWorld _world;
    private readonly List<Bucket> _buckets = new();
    private readonly IReadOnlyList<Parameter> _trainable;
    private readonly Stopwatch _allReduceClock = new();
    private long _stepsReduced;

    private DataParallelRun(MpiWorld world, IReadOnlyList<Parameter> trainable)
    {
        _world = world;
        _trainable = trainable;
        foreach (var group in trainable.GroupBy(p => p.dtype))
        {
            if (group.Key != ScalarType.Float32 && group.Key != ScalarType.Float64)
            {
                throw new NotSupportedException($"Data-parallel training all-reduces float32 and float64 gradients; a trainable parameter is {group.Key}.");
            }

            int elementSize = group.Key == ScalarType.Float64 ? 8 : 4;
            var pending = new List<Parameter>();
            long pendingElements = 0;
            foreach (var parameter in group)
            {
                if (pending.Count > 0 && (pendingElements + parameter.numel()) * elementSize > BucketBytes)
                {
                    _buckets.Add(new Bucket(pending, group.Key));
                    pending = new List<Parameter>();
                    pendingElements = 0;
                }

                pending.Add(parameter);
                pendingElements += parameter.numel();
            }

            if (pending.Count > 0)
            {
                _buckets.Add(new Bucket(pending, group.Key));
            }
        }

        GradientBytesPerStep = _buckets.Sum(b => b.Bytes);
    }

    /// <summary>This process's rank.</summary>
    public int Rank => _world.Rank;

    /// <summary>The number of ranks.</summary>
    public int Size => _world.Size;

    /// <summary>True on rank 0, which alone writes checkpoints and logs.</summary>
    public bool IsLeader => _world.Rank == 0;

    /// <summary>Bytes of gradients all-reduced per step: the trainable parameters' bytes.</summary>
    public long GradientBytesPerStep { get; }

    /// <summary>Bytes all-reduced per step in all: gradients plus the step's status and agreement values.</summary>
    public long AllReduceBytesPerStep => GradientBytesPerStep + (StepStatusLength * sizeof(double)) + AgreementBytesPerStep;

    /// <summary>What this run has communicated so far.</summary>
    public DataParallelStatistics Statistics => new(
        Size,
        AllReduceBytesPerStep,
        _stepsReduced,
        _stepsReduced > 0 ? _allReduceClock.Elapsed.TotalMilliseconds / _stepsReduced : 0);

    /// <summary>The data-parallel side of a run, or null when the run trains alone.</summary>
    public static DataParallelRun? Create(TrainingOptions options, IReadOnlyList<Parameter> trainable)
    {
        if (options.DataParallel == DataParallelMode.Off || !DataParallelEnvironment.IsDistributed)
        {
            return null;
        }

        var world = MpiWorld.Join();
        return world.Size > 1 ? new DataParallelRun(world, trainable) : null;
    }

    /// <summary>Rank 0's seed on every rank, so the ranks shuffle the data identically and read disjoint shards of it.</summary>
    public int AgreeOnSeed(int seed) => _world.BroadcastFromLeader(seed);

    /// <summary>
    /// Fails on every rank when the ranks disagree on the run's length, on what trains, on the training settings
    /// (<paramref name="optionsFingerprint"/>: learning rate, schedule, weight decay, clipping, …, each rank applying the
    /// same averaged gradient with other settings would drift apart), on the step they start from (ranks resuming from
    /// different checkpoints would pair their collectives across steps) and on when they checkpoint
    /// (<paramref name="checkpointing"/>: whether, every how many steps, at what interval; checkpoints are agreed
    /// collectively, so a rank without them would fall a collective behind).
    /// </summary>
    public void CheckSameRun(long totalSteps, long trainableCount, string optionsFingerprint, long startStep, string checkpointing)
    {
        static long Hash(string text) => BitConverter.ToInt64(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(text))) & long.MaxValue;
        var (low, high) = Extremes(_world, totalSteps, trainableCount, Hash(optionsFingerprint), startStep, Hash(checkpointing));
        string? disagreement =
            low[0] != high[0] ? $"the number of training steps (from {low[0]} to {high[0]}; this rank: {totalSteps}): every rank must be given the same training data and options"
            : low[1] != high[1] ? $"the number of trainable weights (from {low[1]} to {high[1]}; this rank: {trainableCount}): every rank must build the same model"
            : low[2] != high[2] ? $"the training settings (this rank's: {optionsFingerprint}): every rank must be given the same options"
            : low[3] != high[3] ? $"the step to start from (from {low[3]} to {high[3]}; this rank: {startStep}): every rank must resume from the same checkpoint, or none"
            : low[4] != high[4] ? $"checkpointing (this rank's: {checkpointing}): give every rank the same checkpoint settings (only rank 0 writes the files)"
            : null;
        if (disagreement is not null)
        {
            throw Disagreement(disagreement);
        }
    }

    /// <summary>Copies rank 0's parameters and buffers to every rank, so all ranks start identical.</summary>
    public void BroadcastModel(nn.Module model)
    {
        using (no_grad())
        {
            foreach (var (name, tensor) in model.state_dict())
            {
                if (!tensor.is_contiguous() || tensor.device_type != TorchSharp.DeviceType.CPU)
                {
                    using var staged = tensor.cpu().contiguous();
                    _world.Broadcast(staged.bytes, root: 0);
                    tensor.copy_(staged);
                }
                else
                {
                    _world.Broadcast(tensor.bytes, root: 0);
                }
            }
        }
    }

    /// <summary>
    /// One decision for the job after a step of work that may have failed on some ranks: returns when no rank failed;
    /// otherwise every rank throws (the failing rank its own exception, the others one carrying its message).
    /// Also agrees on cancellation: returns true on every rank when any rank asked to cancel.
    /// </summary>
    public bool Agree(Exception? failure, bool cancelRequested, string during) => AgreeIn(_world, failure, cancelRequested, during);

    /// <summary>
    /// Runs <paramref name="action"/>; every rank then learns whether it failed on any, and all stop together with that
    /// error, instead of the other ranks waiting forever in their next collective.
    /// </summary>
    public void Collectively(string during, Action action) => Collectively(_world, during, action);

    /// <summary>
    /// <see cref="Collectively(string, Action)"/> outside a training run, for work that only some ranks do (rank 0
    /// writing a staged run's state), which would otherwise leave the others a collective ahead; just runs the action
    /// unless the process is one of several under <c>mpiexec</c>.
    /// </summary>
    public static void CollectivelyInJob(string during, Action action)
    {
        if (!DataParallelEnvironment.IsDistributed || MpiWorld.Join() is not { Size: > 1 } world)
        {
            action();
            return;
        }

        Collectively(world, during, action);
    }

    /// <summary>
    /// Fails on every rank, naming <paramref name="what"/>, when the ranks of the job hold different
    /// <paramref name="values"/>; does nothing unless the process is one of several under <c>mpiexec</c>.
    /// </summary>
    public static void RequireSameInJob(string what, params long[] values)
    {
        if (!DataParallelEnvironment.IsDistributed || MpiWorld.Join() is not { Size: > 1 } world)
        {
            return;
        }

        var (low, high) = Extremes(world, values);
        if (!low.SequenceEqual(high))
        {
            throw Disagreement($"{what} (this rank: {string.Join(", ", values)}): every rank must be given the same options");
        }
    }

    /// <summary>The smallest and largest of each of <paramref name="values"/> over the ranks (one all-reduce).</summary>
    private static (long[] Low, long[] High) Extremes(MpiWorld world, params long[] values)
    {
        var extremes = values.Concat(values.Select(v => -v)).ToArray();
        world.AllReduceMax(extremes);
        return (extremes[values.Length..].Select(v => -v).ToArray(), extremes[..values.Length]);
    }

    /// <summary>
    /// The error every rank throws when the ranks' values disagree: every rank saw the same reduced values, so it is an
    /// agreed failure (the ranks finalise MPI instead of aborting the job).
    /// </summary>
    private static InvalidOperationException Disagreement(string disagreement)
    {
        MpiWorld.FailureAgreed = true;
        return new InvalidOperationException($"The ranks disagree on {disagreement}.");
    }

    private static void Collectively(MpiWorld world, string during, Action action)
    {
        Exception? failure = null;
        try
        {
            action();
        }
        catch (Exception e)
        {
            failure = e;
        }

        AgreeIn(world, failure, cancelRequested: false, during);
    }

    private static bool AgreeIn(MpiWorld world, Exception? failure, bool cancelRequested, string during)
    {
        Span<long> flags = stackalloc long[] { failure is null ? 0 : world.Rank + 1, cancelRequested ? 1 : 0 };
        world.AllReduceMax(flags);
        if (flags[0] == 0)
        {
            return flags[1] != 0;
        }

        int failedRank = (int)flags[0] - 1;
        byte[] message = failedRank == world.Rank ? Encoding.UTF8.GetBytes(failure!.GetType().Name + ": " + failure.Message) : [];
        Span<byte> length = stackalloc byte[sizeof(int)];
        BitConverter.TryWriteBytes(length, message.Length);
        world.Broadcast(length, failedRank);
        Array.Resize(ref message, BitConverter.ToInt32(length));
        world.Broadcast(message, failedRank);
        MpiWorld.FailureAgreed = true;
        if (failure is not null)
        {
            ExceptionDispatchInfo.Capture(failure).Throw();
        }

        throw new InvalidOperationException(
            $"Rank {failedRank} of {world.Size} failed {during}, so every rank stops: {Encoding.UTF8.GetString(message)}");
    }

    /// <summary>
    /// The step's loss averaged over all ranks' rows, and the job's row count; stops every rank when the step failed on
    /// any (<paramref name="failure"/>), and checks that every rank has gradients for the same parameters (otherwise the
    /// ranks' weights would drift apart). The check costs one number per step; only when some rank lacks a gradient do
    /// the ranks compare which parameters, with one more all-reduce of a flag per trainable parameter.
    /// </summary>
    public (double Loss, long Rows) ReduceStepStatus(double loss, int rows, Exception? failure, string during)
    {
        int withoutGradient = failure is null ? _trainable.Count(p => p.grad is null) : 0;
        Span<double> status = stackalloc double[StepStatusLength] { failure is null ? loss * rows : 0, rows, withoutGradient, failure is null ? 0 : 1 };
        _allReduceClock.Start();
        _world.AllReduceSum(status);
        _allReduceClock.Stop();
        if (status[3] > 0)
        {
            Agree(failure, cancelRequested: false, during);
        }

        if (status[2] > 0)
        {
            var missing = _trainable.Select(p => p.grad is null ? 1.0 : 0.0).ToArray();
            _allReduceClock.Start();
            _world.AllReduceSum(missing);
            _allReduceClock.Stop();
            // Every rank sees the same sums, so every rank decides the same way.
            if (FirstInconsistentParameter(missing, Size) is int index)
            {
                // Every rank throws this together: an agreed failure, so the ranks finalise MPI instead of aborting the job.
                MpiWorld.FailureAgreed = true;
                throw new InvalidOperationException(
                    $"Trainable parameter {index} (of {_trainable.Count}, shape [{string.Join(", ", _trainable[index].shape)}]) got a gradient on {Size - (int)missing[index]} of {Size} ranks {during}: " +
                    "a parameter that only some batches use cannot be trained data-parallel (give it a gradient on every batch, or freeze it).");
            }
        }

        return (status[0] / status[1], (long)status[1]);
    }

    /// <summary>
    /// The first parameter that lacks a gradient on some ranks but not all, from the per-parameter counts of ranks without
    /// one (<paramref name="ranksWithoutGradient"/>, summed over <paramref name="size"/> ranks), or null when every
    /// parameter has a gradient on all ranks or on none.
    /// </summary>
    internal static int? FirstInconsistentParameter(ReadOnlySpan<double> ranksWithoutGradient, int size)
    {
        for (int i = 0; i < ranksWithoutGradient.Length; i++)
        {
            if (ranksWithoutGradient[i] != 0 && ranksWithoutGradient[i] != size)
            {
                return i;
            }
        }

        return null;
    }

    /// <summary>
    /// Replaces every trainable parameter's gradient with the job's row-weighted mean gradient: each rank scales
    /// its own by its share of the rows (<paramref name="rows"/> / <paramref name="totalRows"/>), and the buckets are summed.
    /// </summary>
    public void AverageGradients(int rows, long totalRows)
    {
        double share = (double)rows / totalRows;
        using var scope = NewDisposeScope();
        using (no_grad())
        {
            foreach (var bucket in _buckets)
            {
                bucket.Pack(share);
                _allReduceClock.Start();
                unsafe
                {
                    fixed (byte* send = bucket.Send.bytes)
                    fixed (byte* receive = bucket.Receive.bytes)
                    {
                        _world.AllReduceSum((IntPtr)send, (IntPtr)receive, checked((int)bucket.Send.numel()), bucket.Send.dtype == ScalarType.Float64);
                    }
                }

                _allReduceClock.Stop();
                bucket.Unpack();
            }
        }

        _stepsReduced++;
    }

    public void Dispose()
    {
        foreach (var bucket in _buckets)
        {
            bucket.Dispose();
        }
    }

    /// <summary>Parameters whose gradients travel in one flat buffer (one all-reduce call).</summary>
    private sealed class Bucket : IDisposable
    {
        private readonly List<Parameter> _parameters;

        public Bucket(List<Parameter> parameters, ScalarType dtype)
        {
            _parameters = parameters;
            long elements = parameters.Sum(p => p.numel());
            if (elements > int.MaxValue)
            {
                throw new NotSupportedException($"A single parameter of {elements} elements exceeds MPI's element count.");
            }

            Send = zeros(elements, dtype: dtype).DetachFromDisposeScope();
            Receive = zeros(elements, dtype: dtype).DetachFromDisposeScope();
            Bytes = elements * (dtype == ScalarType.Float64 ? 8 : 4);
        }

        public Tensor Send { get; }

        public Tensor Receive { get; }

        public long Bytes { get; }

        public void Pack(double share)
        {
            long offset = 0;
            foreach (var parameter in _parameters)
            {
                long count = parameter.numel();
                var slice = Send.narrow(0, offset, count);
                if (parameter.grad is { } gradient)
                {
                    slice.copy_(gradient.reshape(-1));
                }
                else
                {
                    slice.zero_();
                }

                offset += count;
            }

            Send.mul_(share);
        }

        public void Unpack()
        {
            long offset = 0;
            foreach (var parameter in _parameters)
            {
                long count = parameter.numel();
                // A parameter without a gradient has none on every rank (checked parameter by parameter in ReduceStepStatus).
                parameter.grad?.copy_(Receive.narrow(0, offset, count).view_as(parameter.grad));
                offset += count;
            }
        }

        public void Dispose()
        {
            Send.Dispose();
            Receive.Dispose();
        }
    }
}

/// <summary>What a data-parallel training run communicated.</summary>
/// <param name="Ranks">The number of processes that trained together.</param>
/// <param name="AllReduceBytesPerStep">Bytes all-reduced per step: the trainable parameters' gradients plus a few status values (in a step where some rank lacks a parameter's gradient, one more number per trainable parameter, not counted here).</param>
/// <param name="Steps">Steps whose gradients were all-reduced.</param>
/// <param name="AllReduceMillisecondsPerStep">Mean time per step spent in MPI all-reduce calls (including waiting for slower ranks).</param>
public sealed record DataParallelStatistics(int Ranks, long AllReduceBytesPerStep, long Steps, double AllReduceMillisecondsPerStep);
