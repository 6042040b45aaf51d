using Microsoft.ML;
using MLNetExtensions.Estimators.Sweeps;
using MLNetExtensions.Estimators.Training;
using MLNetExtensions.Transforms.Text;
using MLNetExtensions.Transforms.Torch;

namespace MLNetExtensions.Estimators.Bert;

/// <summary>
/// Runs sweep trials as real BERT masked-LM pre-training: the corpus is tokenized and packed once, and each trial
/// pre-trains a fresh model with the trial's plan and reports its final validation masked-LM loss.
/// </summary>
public sealed class BertPretrainingTrialRunner : ITrialRunner
{
    private readonly MLContext _mlContext;
    private readonly BertPretrainingOptionsBase _options;
    private readonly WordPieceEncoder _encoder;
    private readonly PretrainingCorpus _corpus;

    /// <summary>
    /// Packs the text column of <paramref name="corpus"/> once; every trial uses <paramref name="options"/> with its own plan
    /// and, with a <c>CheckpointDirectory</c>, its own subdirectory <c>trial-{id}-rung-{rung}</c>.
    /// </summary>
    /// <exception cref="ArgumentException"><c>ResumeFromCheckpoint</c> is set (a sweep has no single run to resume).</exception>
    public BertPretrainingTrialRunner(MLContext mlContext, IDataView corpus, BertPretrainingOptionsBase options)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(corpus);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (options.ValidationFraction is not double validationFraction)
        {
            throw new ArgumentOutOfRangeException(nameof(BertPretrainingOptions.ValidationFraction), options.ValidationFraction, "Sweeps rank trials by validation loss: ValidationFraction must be set.");
        }

        if (options.ResumeFromCheckpoint)
        {
            throw new ArgumentException(
                "A sweep runs many trials, each checkpointing into its own subdirectory of CheckpointDirectory; ResumeFromCheckpoint cannot say which to resume. Leave it false for sweeps.",
                nameof(BertPretrainingOptions.ResumeFromCheckpoint));
        }

        _mlContext = mlContext;
        // One seed for the corpus split and every trial, so trials differ only by their plans.
        _options = options.WithSeed(TrainingEngine.ChooseSeed(mlContext, options.Seed));
        _encoder = WordPieceEncoder.FromFile(options.VocabularyPath, options.LowerCase, options.StripAccents);
        _corpus = PretrainingCorpus.Build(mlContext, corpus, options.TextColumnName, _encoder, options.MaximumLength, validationFraction, _options.Seed!.Value, options.BatchSize);
    }

    /// <inheritdoc />
    public TrialOutcome Run(TrialRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var options = _options.WithPlan(request.Plan, cancellationToken, FormattableString.Invariant($"trial-{request.TrialId}-rung-{request.Rung}"));
        TorchThreads.Configure(options.NumberOfThreads, nameof(BertPretrainingOptions.NumberOfThreads));
        var device = TorchDeviceSelector.Select(_mlContext, Training.Distributed.DataParallelEnvironment.LocalRank);
        using var model = BertPretrainer.Train(_mlContext, _corpus, _encoder, options, options.Seed!.Value, device, out var report);
        cancellationToken.ThrowIfCancellationRequested();
        return new TrialOutcome
        {
            ValidationLoss = report.FinalValidationLoss,
            StepsRun = report.Steps,
            WallSeconds = report.TrainingSeconds,
            Metrics = new Dictionary<string, double> { [MaskedLanguageModelObjective.ValidationAccuracyMetric] = report.FinalValidationAccuracy },
        };
    }
}
