using Microsoft.ML;
using MLNetExtensions.Estimators.Training.Distributed;
using MLNetExtensions.Transforms.Torch;
using TorchSharp;

namespace MLNetExtensions.Estimators.Training;

/// <summary>
/// The skeleton every TorchSharp estimator of the project shares: options checked when the estimator is created, and a
/// <see cref="Fit"/> that resolves the seed (the rule of <see cref="TorchTrainerOptions"/>), the threads and the
/// device once, hands them to the estimator's own training, and turns a cancelled run into ML.NET's
/// <see cref="OperationCanceledException"/>. An estimator adds its model, objective and fitted transformer.
/// </summary>
/// <typeparam name="TOptions">The estimator's options.</typeparam>
/// <typeparam name="TTransformer">The fitted transformer.</typeparam>
public abstract class TorchTrainerEstimator<TOptions, TTransformer> : IEstimator<TTransformer>
    where TOptions : TorchTrainerOptions
    where TTransformer : class, ITransformer
{
    private protected TorchTrainerEstimator(MLContext mlContext, TOptions options)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Context = mlContext;
        Options = (TOptions)options.Snapshot();
    }

    /// <summary>The context the estimator was created from (its log, seed, device and cancellation).</summary>
    private protected MLContext Context { get; }

    /// <summary>The options, checked and copied when the estimator was created: later changes to the caller's object do not reach it.</summary>
    private protected TOptions Options { get; }

    /// <summary>Trains on <paramref name="input"/> and returns the fitted transformer (dispose it to free its tensors).</summary>
    /// <param name="input">The training rows.</param>
    /// <returns>The fitted transformer.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or of the wrong type; the message names it.</exception>
    /// <exception cref="InvalidOperationException">The data gives nothing to train on.</exception>
    /// <exception cref="OperationCanceledException">
    /// <see cref="TorchTrainerOptions.CancellationToken"/> fired or <c>mlContext.CancelExecution()</c> was called; the
    /// message names the checkpoint that keeps the progress, when there is one.
    /// </exception>
    public TTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        Options.CancellationToken.ThrowIfCancellationRequested();
        int seed = TrainingEngine.ChooseSeed(Context, Options.Seed, Options.SeedOfRunToResume);
        TorchThreads.Configure(Options.NumberOfThreads, nameof(TorchTrainerOptions.NumberOfThreads));
        var device = TorchDeviceSelector.Select(Context, DataParallelEnvironment.LocalRank);
        return FitCore(input, seed, device);
    }

    /// <inheritdoc />
    public abstract SchemaShape GetOutputSchema(SchemaShape inputSchema);

    /// <summary>The estimator's training, with the seed, threads and device already resolved.</summary>
    private protected abstract TTransformer FitCore(IDataView input, int seed, torch.Device device);

    /// <summary>
    /// Runs the training engine with the options' progress and cancellation; a cancelled run throws, its message
    /// starting with <paramref name="what"/> ("Fine-tuning", …).
    /// </summary>
    private protected TrainingResult Train<TBatch>(
        string what, torch.nn.Module model, ITrainingObjective<TBatch> objective, IDataView train, IDataView? validation, IReadOnlyList<ParameterGroup> groups, TrainingOptions trainingOptions)
    {
        var result = new TrainingEngine().Train(Context, model, objective, train, validation, groups, trainingOptions, Options.Progress, Options.CancellationToken);
        return result.Cancelled ? throw Options.CancelledFit(what, result.Steps, result.TotalSteps, trainingOptions.CheckpointPath) : result;
    }
}
