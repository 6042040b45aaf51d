using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNetExtensions.Estimators.Data;
using MLNetExtensions.Estimators.Training;
using MLNetExtensions.Estimators.Training.Distributed;
using MLNetExtensions.Transforms.DataView;
using MLNetExtensions.Transforms.Ids;
using static TorchSharp.torch;

namespace MLNetExtensions.Estimators.Ids;

/// <summary>
/// Learns vectors of item IDs and the IDs attached to them (product, store, brand, category levels, …) in one space
/// (Zhao, Li, Shuai, Yang, "Learning and Transferring IDs Representation in E-commerce", KDD 2018): skip-gram with
/// negative sampling over users' item sequences, where each ID type has its own target and context tables and
/// dimension, plus a structural term tying each item to its attribute IDs through one matrix per type. Fits on an
/// interactions view (user, item, optional timestamp and session) with the item table in
/// <see cref="IdEmbeddingOptions.ItemAttributes"/>, and returns an <see cref="IdEmbeddingTransformer"/>: item → <c>ItemEmbedding</c>.
/// Create it with <c>mlContext.Transforms.IdEmbedding(…)</c>.
/// </summary>
public sealed class IdEmbeddingEstimator : TorchTrainerEstimator<IdEmbeddingOptions, IdEmbeddingTransformer>
{
    private const string ChannelName = "MLNetExtensions.IdEmbedding";

    internal IdEmbeddingEstimator(MLContext mlContext, IdEmbeddingOptions options)
        : base(mlContext, options)
    {
    }

    /// <inheritdoc />
    public override SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var column = inputSchema.FirstOrDefault(c => c.Name == Options.ItemColumnName);
        if (!IdColumn.IsSupported(column))
        {
            throw new ArgumentOutOfRangeException(
                nameof(IdEmbeddingOptions.ItemColumnName),
                $"Input column '{Options.ItemColumnName}' (ItemColumnName) must exist and be a scalar {IdColumn.SupportedTypes}.");
        }

        return SchemaShapeColumns.Append(inputSchema, new[] { new MappedColumn(Options.OutputColumnName, new VectorDataViewType(NumberDataViewType.Single, Options.OutputDimension)) });
    }

    /// <summary>Sequences and vocabularies, then the training engine, then the transformer.</summary>
    private protected override IdEmbeddingTransformer FitCore(IDataView interactions, int seed, Device device)
    {
        using var channel = ((IChannelProvider)Context).Start(ChannelName);
        var (sequences, validationSequences) = ReadSequences(interactions, seed);
        var attributeRows = new List<(string Item, string?[] Ids)>();
        if (Options.ItemAttributes is not null)
        {
            (attributeRows, int duplicates) = ItemAttributeRows.Read(Options.ItemAttributes, Options);
            // Data-parallel, rank 0 alone writes the log (every rank reads the same data).
            if (duplicates > 0 && DataParallelEnvironment.IsLeader)
            {
                channel.Warning(MessageSensitivity.None, $"ItemAttributes: {duplicates} repeated item row(s) ignored; the first row of each item is used.");
            }
        }

        var vocabulary = new IdTrainingVocabulary(sequences, attributeRows, Options.AttributeColumns);
        var rows = SkipGramRows.Build(vocabulary.Sequences, Options.WindowSize, Options.PositionsPerRow);
        long pairsPerEpoch = SkipGramRows.PairCount(vocabulary.Sequences, Options.WindowSize);
        if (rows.Count == 0)
        {
            throw new InvalidOperationException(
                $"The interactions give no training pair: every one of the {sequences.Count} sequence(s) has a single item. " +
                "Sequences need two items or more (check UserColumnName, SessionColumnName and InactivityGap).");
        }

        var validationRows = validationSequences is null ? null : ValidationRows(vocabulary, validationSequences);
        if (DataParallelEnvironment.IsLeader)
        {
            channel.Info(
                MessageSensitivity.None,
                $"IdEmbedding: {sequences.Count:N0} sequences, {vocabulary.TrainedItemCount:N0} trained items ({vocabulary.Items.Count - vocabulary.TrainedItemCount:N0} known from attributes only), " +
                $"{vocabulary.Attributes.Count} attribute type(s), {pairsPerEpoch:N0} pairs per epoch, {rows.Count:N0} rows" +
                (validationRows is null ? "." : $"; {validationRows.Count:N0} validation rows from {validationSequences!.Count:N0} sequences."));
        }

        using var generator = new Generator(unchecked((ulong)seed));
        using var network = new IdEmbeddingNetwork(vocabulary, Options.ItemDimension, generator, device);
        using var sampler = new NegativeSampler(Options.NegativeSampler, vocabulary.Frequencies);
        var objective = new IdEmbeddingObjective(network, sampler, Options.WindowSize, Options.NegativeCount, Options.NegativePoolSize, Options.Alpha, Options.Beta, device);
        var clock = Stopwatch.StartNew();
        var result = Train(
            "IdEmbedding training",
            network,
            objective,
            SkipGramRows.ToDataView(Context, rows),
            validationRows is null ? null : SkipGramRows.ToDataView(Context, validationRows),
            ParameterGroup.SplitByWeightDecay("ids", network.parameters()), // every table and transition is a matrix: one decaying group
            Options.ToTrainingOptions(seed, IdEmbeddingOptions.DefaultLearningRate, validationRows is not null, Options.CheckpointFile));
        clock.Stop();

        double seconds = clock.Elapsed.TotalSeconds;
        long stepsPerEpoch = (rows.Count + ((long)Options.BatchSize * DataParallelEnvironment.Size) - 1) / ((long)Options.BatchSize * DataParallelEnvironment.Size);
        double epochsTrained = result.EpochsCompleted + ((double)result.BatchesInEpoch / stepsPerEpoch);
        double pairsPerSecond = pairsPerEpoch * epochsTrained / seconds;
        if (DataParallelEnvironment.IsLeader)
        {
            channel.Info(MessageSensitivity.None, $"IdEmbedding: {pairsPerEpoch * epochsTrained:N0} training pairs in {seconds:F1} s: {pairsPerSecond:N0} pairs/s; final loss {result.FinalLoss:F4}.");
        }
        var summary = new IdEmbeddingTrainingSummary(sequences.Count, pairsPerEpoch, (int)result.EpochsCompleted, result.Steps, seconds, pairsPerSecond, result.FinalLoss, seed);

        var tables = new IdEmbeddingTables(vocabulary.TrainedItemCount, Options.ItemDimension, vocabulary.Attributes.Select(a => (a.Values.Length + 1, a.Dimension)).ToArray());
        try
        {
            using (no_grad())
            {
                foreach (var (name, parameter) in tables.named_parameters())
                {
                    parameter.copy_(network.Tables.get_parameter(name)!);
                }

                using var logPrior = sampler.LogProbabilities();
                tables.ItemLogPrior!.copy_(logPrior);
            }

            var settings = new IdEmbeddingSettings(Options.ItemColumnName, Options.OutputColumnName, Options.ItemDimension, vocabulary.TrainedItemCount, Options.RecentItemCount, Options.UnseenItems, Options.ItemVector);
            return new IdEmbeddingTransformer(new IdVectorSpace(tables, vocabulary.Items, vocabulary.Attributes, vocabulary.TrainedItemCount, Options.ItemVector), settings, summary);
        }
        catch
        {
            // The tables belong to no dispose scope: free them if the model cannot be built.
            tables.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The training sequences, and the validation sequences: those of <see cref="SingleRunTrainerOptions.ValidationData"/>,
    /// or a seeded <see cref="TorchTrainerOptions.ValidationFraction"/> of the users (with all their sequences) held out before the
    /// vocabulary is built (so validation measures how well the vectors predict interactions they never saw).
    /// </summary>
    private (List<string[]> Train, List<string[]>? Validation) ReadSequences(IDataView interactions, int seed)
    {
        var sequences = InteractionSequences.ReadByUser(interactions, Options);
        if (Options.ValidationData is { } validation)
        {
            return (Items(sequences), InteractionSequences.Read(validation, Options));
        }

        if (Options.ValidationFraction is not double fraction)
        {
            return (Items(sequences), null);
        }

        // Whole users are held out, with all their sessions, so that validation measures users training never saw; the
        // project's own generator keeps the split the same across platforms and .NET versions.
        var users = sequences.Select(s => s.User).Distinct(StringComparer.Ordinal).ToList();
        if (users.Count < 2)
        {
            throw new InvalidOperationException(
                $"{nameof(IdEmbeddingOptions)}.{nameof(IdEmbeddingOptions.ValidationFraction)} holds out whole users, but the interactions have {users.Count} user: give ValidationData instead, or leave ValidationFraction null.");
        }

        // At least one user on each side, whatever the rounding.
        int heldOutCount = Math.Clamp((int)Math.Round(fraction * users.Count), 1, users.Count - 1);
        new SeededShuffle(seed).Shuffle(users);
        var heldOut = users.Take(heldOutCount).ToHashSet(StringComparer.Ordinal);
        return (Items(sequences.Where(s => !heldOut.Contains(s.User))), Items(sequences.Where(s => heldOut.Contains(s.User))));

        static List<string[]> Items(IEnumerable<UserSequence> of) => of.Select(s => s.Items).ToList();
    }

    /// <summary>Validation rows: each sequence's trained items in order (items training never saw are dropped).</summary>
    /// <exception cref="InvalidOperationException">No validation sequence keeps two trained items.</exception>
    private List<SkipGramRows.Row> ValidationRows(IdTrainingVocabulary vocabulary, IReadOnlyList<string[]> sequences)
    {
        var mapped = sequences
            .Select(sequence => sequence.Select(vocabulary.Items.IndexOf).Where(index => index >= 0 && index < vocabulary.TrainedItemCount).ToArray())
            .ToArray();
        var rows = SkipGramRows.Build(mapped, Options.WindowSize, Options.PositionsPerRow);
        if (rows.Count == 0)
        {
            string source = Options.ValidationData is not null ? "ValidationData" : "ValidationFraction";
            throw new InvalidOperationException(
                $"IdEmbeddingOptions.{source} gives no validation pair: none of its {sequences.Count} sequence(s) keeps two trained items (an item seen only in one-item training sequences is not trained).");
        }

        return rows;
    }
}
