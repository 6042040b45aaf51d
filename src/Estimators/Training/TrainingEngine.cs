using Microsoft.ML;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetExtensions.Estimators.Training;

/// <summary>
/// The one training loop of the project's estimators: batches from <see cref="IDataView"/> cursors, AdamW with
/// per-group learning rates, warm-up and decay, gradient clipping, progress, cancellation, validation with early
/// stopping, and atomic checkpoints that resume bit-exactly on CPU.
/// </summary>
/// <remarks>
/// An engine instance holds no state between runs; one instance may run several trainings one after another
/// (for example the stages of a staged-training plan). A run executes on the calling thread.
/// </remarks>
public sealed class TrainingEngine
{
    /// <summary>Test hook: wraps the checkpoint file stream (to inject write failures).</summary>
    internal Func<Stream, Stream>? CheckpointStreamDecorator { get; set; }

    /// <summary>Test hook: called after gradient clipping, before the optimizer step, with the trainable parameters.</summary>
    internal Action<IReadOnlyList<Parameter>>? AfterGradientClipping { get; set; }

    /// <summary>Trains <paramref name="model"/> in place.</summary>
    /// <typeparam name="TBatch">The objective's batch type.</typeparam>
    /// <param name="mlContext">The ML.NET context: its <c>Log</c> receives progress, its seed is the default seed.</param>
    /// <param name="model">The TorchSharp model; its parameters are updated in place and its buffers are checkpointed.</param>
    /// <param name="objective">Columns, batching and loss.</param>
    /// <param name="trainData">The training rows.</param>
    /// <param name="validationData">Validation rows, or null.</param>
    /// <param name="trainableGroups">The parameters that train; every other parameter of the model is frozen for the run.</param>
    /// <param name="options">The run's settings.</param>
    /// <param name="progress">Receives reports synchronously on the training thread, or null.</param>
    /// <param name="cancellationToken">Stops training at the next step boundary; the result then has <see cref="TrainingResult.Cancelled"/> set.</param>
    /// <returns>What the run did.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range, or a required column is missing or of the wrong type.</exception>
    /// <exception cref="ArgumentException">The parameter groups are inconsistent with the model, or options contradict each other.</exception>
    /// <exception cref="InvalidOperationException">The data is empty, the loss is not a usable scalar, or a checkpoint does not fit.</exception>
    /// <exception cref="InvalidDataException">The checkpoint to resume from is truncated or corrupted.</exception>
    public TrainingResult Train<TBatch>(
        MLContext mlContext,
        nn.Module model,
        ITrainingObjective<TBatch> objective,
        IDataView trainData,
        IDataView? validationData,
        IReadOnlyList<ParameterGroup> trainableGroups,
        TrainingOptions options,
        IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(objective);
        ArgumentNullException.ThrowIfNull(trainData);
        ArgumentNullException.ThrowIfNull(trainableGroups);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (options.EarlyStopping is not null && validationData is null)
        {
            throw new ArgumentException("TrainingOptions.EarlyStopping is set but no validation data was given.", nameof(validationData));
        }

        using var run = new TrainingRun<TBatch>(this, mlContext, model, objective, trainData, validationData, trainableGroups, options, progress, cancellationToken);
        return run.Execute();
    }

    /// <summary>The seed a run uses: the options' seed, else the MLContext's, else null.</summary>
    internal static int? ResolveSeed(MLContext mlContext, TrainingOptions options) => options.Seed ?? TryGetContextSeed(mlContext);

    /// <summary>
    /// The seed rule of every estimator: its own <paramref name="seed"/> option, else the MLContext's seed, else the seed
    /// of the checkpointed run it resumes (<paramref name="seedOfRunToResume"/>: a run without a seed drew one, and
    /// resuming must continue with it), else a random one (as ML.NET does for <c>new MLContext()</c>); estimators report
    /// the seed they used. Under <c>mpiexec</c> estimators train data-parallel, and the ranks must split and shuffle their
    /// data alike, so an unset seed is rank 0's choice, broadcast (every rank of the job calls this at the same point of
    /// the same Fit).
    /// </summary>
    internal static int ChooseSeed(MLContext mlContext, int? seed, Func<int?>? seedOfRunToResume = null)
    {
        if ((seed ?? TryGetContextSeed(mlContext)) is int chosen)
        {
            return chosen;
        }

        int drawn = seedOfRunToResume?.Invoke() ?? Random.Shared.Next();
        return Distributed.DataParallelEnvironment.IsDistributed ? Distributed.MpiWorld.Join().BroadcastFromLeader(drawn) : drawn;
    }

    /// <summary>
    /// Reads the seed an <see cref="MLContext"/> was created with. ML.NET keeps it behind the internal interface
    /// <c>IHostEnvironmentInternal.Seed</c>, so this reads it by reflection and returns null when that fails.
    /// </summary>
    internal static int? TryGetContextSeed(MLContext mlContext)
    {
        try
        {
            var property = mlContext.GetType().GetInterfaces()
                .FirstOrDefault(i => i.Name == "IHostEnvironmentInternal")
                ?.GetProperty("Seed");
            return property?.GetValue(mlContext) as int?;
        }
        catch (Exception ex) when (ex is System.Reflection.TargetInvocationException or MemberAccessException or InvalidOperationException)
        {
            return null;
        }
    }
}
