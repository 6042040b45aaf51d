using Microsoft.ML;
using MLNetExtensions.Estimators.Training;
using MLNetExtensions.Transforms.Bert;
using MLNetExtensions.Transforms.Text;
using TorchSharp;

namespace MLNetExtensions.Estimators.Bert;

/// <summary>The Fit of every BERT pre-training estimator: corpus, model, staged training, fitted transformer.</summary>
internal static class BertPretrainer
{
    /// <summary>Packs the corpus and pre-trains with the run's resolved <paramref name="seed"/> and <paramref name="device"/>.</summary>
    public static BertEmbeddingTransformer Fit(MLContext mlContext, IDataView input, BertPretrainingOptionsBase options, int seed, torch.Device device)
    {
        var encoder = WordPieceEncoder.FromFile(options.VocabularyPath, options.LowerCase, options.StripAccents);
        var corpus = PretrainingCorpus.Build(mlContext, input, options.TextColumnName, encoder, options.MaximumLength, options.ValidationFraction ?? 0, seed, options.BatchSize);
        return Train(mlContext, corpus, encoder, options, seed, device, out _); // the report travels on the transformer
    }

    /// <summary>
    /// Pre-trains on an already packed corpus (sweeps pack once and run many plans, with one seed chosen for all); the
    /// caller has resolved the seed, the threads and the device.
    /// </summary>
    public static BertEmbeddingTransformer Train(MLContext mlContext, PretrainingCorpus corpus, WordPieceEncoder encoder, BertPretrainingOptionsBase options, int seed, torch.Device device, out StagedTrainingReport report)
    {
        var plan = options.ResolvePlan();

        bool relaxed = plan.Stages[0].Architecture == Plans.EncoderArchitecture.Relaxed;
        var config = options.BuildConfig(encoder.VocabularySize, plan);
        using var generator = new torch.Generator(unchecked((ulong)seed));
        using var model = new BertForMaskedLM(config, generator);
        model.to(device);
        var masking = new MaskedLanguageModelMasking(
            encoder.VocabularySize,
            encoder.MaskTokenId,
            new[] { encoder.PaddingTokenId, encoder.ClassificationTokenId, encoder.SeparatorTokenId, encoder.MaskTokenId, encoder.UnknownTokenId });
        var objective = new MaskedLanguageModelObjective(model, masking, encoder.PaddingTokenId, device, PretrainingCorpus.TokenIdsColumn);
        var settings = options.ToStagedTrainingSettings(seed);
        report = new StagedBertTrainer().Train(mlContext, model, plan, objective, corpus.Train, corpus.Validation, settings, out var trained, options.Progress, options.CancellationToken);
        using var converted = ReferenceEquals(trained, model) ? null : trained;
        if (relaxed)
        {
            report = CoReCostLog.Describe(mlContext, model, plan, report, options.BatchSize, options.MaximumLength);
        }

        if (report.Cancelled)
        {
            throw options.CancelledFit("Pre-training", report.Steps, plan.TotalSteps, options.CheckpointDirectory);
        }

        var encoderOnly = new BertModel(trained.Config, addPoolingLayer: false);
        encoderOnly.to(device);
        encoderOnly.CopyFrom(trained.Bert);
        var textSettings = new BertTextSettings(options.TextColumnName, options.OutputColumnName, options.MaximumLength, options.Pooling);
        var transformer = new BertEmbeddingTransformer(encoderOnly, encoder, textSettings);
        transformer.AttachTrainingRecord(report.ToJson()); // the report travels on the transformer and in its model file
        return transformer;
    }
}
