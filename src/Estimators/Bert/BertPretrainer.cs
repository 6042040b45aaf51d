using Microsoft.ML;
using MLNetExtensions.Transforms.Bert;
using MLNetExtensions.Transforms.Text;
using MLNetExtensions.Transforms.Torch;
using TorchSharp;

namespace MLNetExtensions.Estimators.Bert;

/// <summary>The Fit of every BERT pre-training estimator: corpus, model, staged training, fitted transformer.</summary>
internal static class BertPretrainer
{
    public static BertEmbeddingTransformer Fit(MLContext mlContext, IDataView input, BertPretrainingOptions options, out StagedTrainingReport report)
    {
        ArgumentNullException.ThrowIfNull(input);
        options.Validate();
        TorchThreads.Configure(options.NumberOfThreads, nameof(BertPretrainingOptions.NumberOfThreads));
        var device = TorchDeviceSelector.Select(mlContext);
        int seed = options.Seed ?? Training.TrainingEngine.TryGetContextSeed(mlContext) ?? 0;
        var plan = options.BuildPlan();
        var encoder = WordPieceEncoder.FromFile(options.VocabularyPath, options.LowerCase, options.StripAccents);
        var corpus = PretrainingCorpus.Build(mlContext, input, options.TextColumnName, encoder, options.MaximumSequenceLength, options.ValidationFraction, seed, options.BatchSize);

        var config = options.BuildConfig(encoder.VocabularySize, plan.Stages[0].Depth);
        using var generator = new torch.Generator(unchecked((ulong)seed));
        using var model = new BertForMaskedLM(config, generator);
        model.to(device);
        var masking = new MaskedLanguageModelMasking(
            encoder.VocabularySize,
            encoder.MaskTokenId,
            new[] { encoder.PaddingTokenId, encoder.ClassificationTokenId, encoder.SeparatorTokenId, encoder.MaskTokenId, encoder.UnknownTokenId });
        var objective = new MaskedLanguageModelObjective(model, masking, encoder.PaddingTokenId, device, PretrainingCorpus.TokenIdsColumn);
        var settings = new StagedTrainingSettings
        {
            BatchSize = options.BatchSize,
            WeightDecay = options.WeightDecay,
            MaxGradientNorm = options.MaxGradientNorm,
            Seed = seed,
            ValidateEveryNSteps = options.ValidateEveryNSteps,
            Threads = options.NumberOfThreads,
            CheckpointDirectory = options.CheckpointDirectory,
            CheckpointEveryNSteps = options.CheckpointEveryNSteps,
            Resume = options.ResumeFromCheckpoint,
        };
        report = new StagedBertTrainer().Train(mlContext, model, plan, objective, corpus.Train, corpus.Validation, settings, options.Progress, options.CancellationToken);

        var encoderOnly = new BertModel(model.Config, addPoolingLayer: false);
        encoderOnly.to(device);
        encoderOnly.CopyFrom(model.Bert);
        var textSettings = new BertTextSettings(options.TextColumnName, options.OutputColumnName, options.MaximumSequenceLength, options.Pooling);
        return new BertEmbeddingTransformer(encoderOnly, encoder, textSettings, report.ToJson());
    }
}
