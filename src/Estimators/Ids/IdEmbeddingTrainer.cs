using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLNetExtensions.Estimators.Training;
using MLNetExtensions.Transforms.Ids;
using MLNetExtensions.Transforms.Torch;
using static TorchSharp.torch;

namespace MLNetExtensions.Estimators.Ids;

/// <summary>Fit of <see cref="IdEmbeddingEstimator"/>: sequences and vocabularies, then the training engine, then the transformer.</summary>
internal static class IdEmbeddingTrainer
{
    private const string ChannelName = "MLNetExtensions.IdEmbedding";

    public static IdEmbeddingTransformer Fit(MLContext mlContext, IDataView interactions, IdEmbeddingOptions options)
    {
        options.Validate();
        using var channel = ((IChannelProvider)mlContext).Start(ChannelName);
        var sequences = InteractionSequences.Read(interactions, options);
        var attributeRows = new List<(string Item, string?[] Ids)>();
        if (options.ItemAttributes is not null)
        {
            (attributeRows, int duplicates) = ItemAttributeRows.Read(options.ItemAttributes, options);
            if (duplicates > 0)
            {
                channel.Warning(MessageSensitivity.None, $"ItemAttributes: {duplicates} repeated item row(s) ignored; the first row of each item is used.");
            }
        }

        var vocabulary = new IdTrainingVocabulary(sequences, attributeRows, options.AttributeColumns);
        var rows = SkipGramRows.Build(vocabulary.Sequences, options.WindowSize, options.PositionsPerRow);
        long pairsPerEpoch = SkipGramRows.PairCount(vocabulary.Sequences, options.WindowSize);
        if (rows.Count == 0)
        {
            throw new InvalidOperationException(
                $"The interactions give no training pair: every one of the {sequences.Count} sequence(s) has a single item. " +
                "Sequences need two items or more (check UserColumnName, SessionColumnName and InactivityGap).");
        }

        int seed = TrainingEngine.ChooseSeed(mlContext, options.Seed);
        TorchThreads.Configure(options.NumberOfThreads, nameof(options.NumberOfThreads));
        var device = TorchDeviceSelector.Select(mlContext, Training.Distributed.DataParallelEnvironment.LocalRank);
        channel.Info(
            MessageSensitivity.None,
            $"IdEmbedding: {sequences.Count:N0} sequences, {vocabulary.TrainedItemCount:N0} trained items ({vocabulary.Items.Count - vocabulary.TrainedItemCount:N0} known from attributes only), " +
            $"{vocabulary.Attributes.Count} attribute type(s), {pairsPerEpoch:N0} pairs per epoch, {rows.Count:N0} rows.");

        using var generator = new Generator(unchecked((ulong)seed));
        using var network = new IdEmbeddingNetwork(vocabulary, options.ItemDimension, generator, device);
        using var sampler = new NegativeSampler(options.NegativeSampler, vocabulary.Frequencies);
        var objective = new IdEmbeddingObjective(network, sampler, options.WindowSize, options.NegativeCount, options.Alpha, options.Beta, device);
        var trainingOptions = new TrainingOptions
        {
            BatchSize = options.BatchSize,
            Epochs = options.Epochs,
            LearningRate = options.LearningRate,
            WeightDecay = 0, // Adam: no decoupled decay; β penalises the transitions inside the loss
            Seed = seed,
            Threads = options.NumberOfThreads,
            LogEveryNSteps = options.LogEveryNSteps,
            CheckpointPath = options.CheckpointFile,
            CheckpointEveryNSteps = options.CheckpointEveryNSteps,
            ResumeFromCheckpoint = options.ResumeFromCheckpoint ? options.CheckpointFile : null,
        };
        var clock = Stopwatch.StartNew();
        var result = new TrainingEngine().Train(
            mlContext,
            network,
            objective,
            SkipGramRows.ToDataView(mlContext, rows),
            validationData: null,
            new[] { ParameterGroup.All(network, "ids") },
            trainingOptions);
        clock.Stop();
        if (result.Cancelled)
        {
            // mlContext.CancelExecution() stopped the engine: ML.NET's convention is a throwing Fit, not a half-trained model.
            string resume = options.CheckpointFile is null ? string.Empty : $" Its checkpoint is {options.CheckpointFile}: set ResumeFromCheckpoint to continue.";
            throw new OperationCanceledException($"IdEmbedding training was cancelled after {result.Steps} of {result.TotalSteps} steps.{resume}");
        }

        double seconds = clock.Elapsed.TotalSeconds;
        double pairsPerSecond = pairsPerEpoch * (double)options.Epochs / seconds;
        channel.Info(MessageSensitivity.None, $"IdEmbedding: {pairsPerEpoch * (long)options.Epochs:N0} training pairs in {seconds:F1} s: {pairsPerSecond:N0} pairs/s; final loss {result.FinalLoss:F4}.");
        var summary = new IdEmbeddingTrainingSummary(sequences.Count, pairsPerEpoch, options.Epochs, result.Steps, seconds, pairsPerSecond, result.FinalLoss, seed);

        var tables = new IdEmbeddingTables(vocabulary.TrainedItemCount, options.ItemDimension, vocabulary.Attributes.Select(a => (a.Values.Length + 1, a.Dimension)).ToArray());
        using (no_grad())
        {
            foreach (var (name, parameter) in tables.named_parameters())
            {
                parameter.copy_(network.Target.get_parameter(name)!);
            }
        }

        var settings = new IdEmbeddingSettings(options.ItemColumnName, options.OutputColumnName, options.ItemDimension, vocabulary.TrainedItemCount, options.RecentItemCount, options.UnseenItems, options.ItemVector);
        return new IdEmbeddingTransformer(new IdVectorSpace(tables, vocabulary.Items, vocabulary.Attributes, vocabulary.TrainedItemCount, options.ItemVector), settings, summary);
    }
}
