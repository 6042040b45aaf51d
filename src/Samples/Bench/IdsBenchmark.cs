using System.Diagnostics;
using Microsoft.ML;
using MLNetExtensions.Estimators.Ids;
using MLNetExtensions.Samples.Reporting;
using MLNetExtensions.Transforms.Ids;
using Spectre.Console;

namespace MLNetExtensions.Samples.Bench;

/// <summary>
/// <c>bench ids</c>: the ID-embedding estimator on Online Retail and the Complete Journey sample under one protocol
/// (<see cref="IdsDataset"/>): popularity, a content baseline, item2vec (item IDs only, α = 0), the full model and
/// fastText skip-gram on the same training sequences, each ranking every item from the user's last item; HR@10, MRR@10,
/// cold HR@10, training time and training pairs per second. Writes artifacts/bench/ids.json.
/// </summary>
internal static class IdsBenchmark
{
    private const int Seed = 42;
    private const int Dimension = 100;
    private const int Window = 4;
    private const int Negatives = 2;

    /// <summary>The full model's α candidates; the one with the best validation HR@10 is reported.</summary>
    private static readonly double[] AlphaCandidates = { 1.0, 0.1, 0.01 };

    /// <summary>The negative samplers item2vec and the full model choose from by validation HR@10: the paper's and word2vec's.</summary>
    private static readonly NegativeSamplerKind[] SamplerCandidates = { NegativeSamplerKind.LogUniform, NegativeSamplerKind.Unigram075 };

    /// <summary>Adam's peak learning rates item2vec and the full model choose from by validation HR@10 (the estimator's default first).</summary>
    private static readonly double[] LearningRateCandidates = { IdEmbeddingOptions.DefaultLearningRate, 0.03 };

    public static int Run(bool quick)
    {
        var clock = Stopwatch.StartNew();
        int epochs = quick ? 2 : 5;
        int? maximumUsers = quick ? 1000 : null;
        var datasets = new[] { IdsDataset.OnlineRetail(Seed, maximumUsers), IdsDataset.CompleteJourney(Seed, maximumUsers) };
        var results = new Dictionary<string, IdsDatasetResult>();
        foreach (var dataset in datasets)
        {
            results[dataset.Name] = RunDataset(dataset, epochs);
        }

        var retail = results["online_retail"].Methods;
        var journey = results["complete_journey"].Methods;
        var output = new IdsBenchmarkResult
        {
            Quick = quick,
            Protocol = "Per user (3 items or more), the last item is the test target and the one before it validation; the rest is training. " +
                "10 % of all items (seed 42) are cold: removed from the training sequences, kept in the attribute table. Every method ranks all items " +
                "from the user's items before the target (ties by training popularity): content from the last item; item2vec, the full model and fastText by one of " +
                "two rules, chosen per method and dataset by validation HR@10 with the method's other settings: cosine similarity to the mean vector of the last 1, 5 or 10 items that have one (among the 10 before the target), " +
                "or the skip-gram's next-item score, the mean joint target vector of those items dotted with each item's context vector plus the item's log probability under the method's " +
                "negative sampler (ours: log-uniform or unigram^0.75; fastText: counts^0.5). Items without a vector score 0 under cosine and are no candidates under the next-item rule. " +
                $"Dimension {Dimension}, window {Window}, {Negatives} negatives, {epochs} epochs for item2vec, the full model and fastText. " +
                $"item2vec's negative sampler (log-uniform or unigram^0.75) and Adam learning rate (among {string.Join(", ", LearningRateCandidates)}), and the full model's sampler, learning rate, α (among {string.Join(", ", AlphaCandidates)}; one training per combination; train_seconds is the chosen one's) and item vector (e_i1, or e_i1 followed by the weighted attribute vectors) are chosen per dataset by validation HR@10. " +
                "pairs_per_second = (target, context) pairs a method trains on × epochs / train_seconds: for our models every pair of the training sequences within the window, both directions; " +
                "for fastText the expected number of pairs its sampling leaves (frequent-item subsampling at -t 1e-4 and a window boundary drawn from 1…4 per position; fasttext_pairs_per_epoch). " +
                "window_pairs_per_second counts every window pair for fastText too (equal work: only training time differs).",
            Datasets = results,
            Targets = new Dictionary<string, bool?>
            {
                ["online_retail_full_hr_ge_item2vec"] = retail["full_model"]!.HrAt10 >= retail["item2vec"]!.HrAt10,
                ["online_retail_full_hr_ge_1_1_fasttext"] = retail["fasttext"] is { } ft ? retail["full_model"]!.HrAt10 >= 1.1 * ft.HrAt10 : null,
                ["online_retail_full_pairs_per_second_ge_half_fasttext"] = retail["fasttext"] is { } ft2 ? retail["full_model"]!.PairsPerSecond >= 0.5 * ft2.PairsPerSecond : null,
                // The same bar for equal work: all window pairs counted for fastText too, so only training time differs.
                ["online_retail_full_window_pairs_per_second_ge_half_fasttext"] = retail["fasttext"] is { } ft3 ? retail["full_model"]!.WindowPairsPerSecond >= 0.5 * ft3.WindowPairsPerSecond : null,
                ["online_retail_full_cold_hr_ge_1_5_content"] = ColdTarget(retail),
                ["complete_journey_full_cold_hr_ge_1_5_content"] = ColdTarget(journey),
                ["complete_journey_full_hr_ge_popularity"] = journey["full_model"]!.HrAt10 >= journey["popularity"]!.HrAt10,
            },
            TotalSeconds = clock.Elapsed.TotalSeconds,
            PeakRssMb = JsonArtifact.PeakResidentMegabytes(),
        };

        string path = Path.Combine("artifacts", "bench", "ids.json");
        JsonArtifact.Write(path, output);
        Print(output);
        AnsiConsole.MarkupLine($"Wrote [bold]{path}[/]");
        return 0;
    }

    private static IdsDatasetResult RunDataset(IdsDataset dataset, int epochs)
    {
        AnsiConsole.MarkupLine($"[bold]{dataset.Name}[/]: {dataset.UserCount:N0} users, {dataset.Items.Length:N0} items ({dataset.Cold.Count(c => c):N0} cold), {dataset.TrainingSequences.Sum(s => s.Length):N0} training interactions");
        var methods = new Dictionary<string, IdsMethodResult?>();
        var timer = Stopwatch.StartNew();
        using (TorchSharp.torch.NewDisposeScope())
        {
            methods["popularity"] = Score(dataset, IdsRanking.Popularity(dataset), null, timer.Elapsed.TotalSeconds, null, null);
            methods["content"] = Score(dataset, IdsRanking.Content(dataset), null, timer.Elapsed.TotalSeconds, null, null);
        }

        // item2vec, the full model and fastText each choose how they rank (VectorScoring: cosine or next-item score, from
        // the last 1, 5 or 10 items), and our two models their negative sampler and learning rate (the full model also
        // its α and, for cosine, its item vector: e_i1, or e_i1 with the weighted attribute vectors) on the validation
        // split, never on the test split. The item vector does not change training: both are read from one model.
        var item2vecCandidates = new Dictionary<string, double>();
        Chosen? item2vec = null;
        long pairsPerEpoch = 0;
        try
        {
            foreach (var choice in Choices(alphas: new[] { 0.0 }))
            {
                var model = Train(new MLContext(seed: Seed), dataset, withAttributes: false, choice, epochs);
                pairsPerEpoch = model.TrainingSummary!.TrainingPairs;
                item2vec = ChooseBest(dataset, model, choice, item2vec, item2vecCandidates, "item2vec", vectors: new[] { IdItemVector.Item });
            }

            methods["item2vec"] = ScoreChosen(dataset, item2vec!, trainedOnly: false);
        }
        finally
        {
            item2vec?.Model.Dispose();
        }

        var candidates = new Dictionary<string, double>();
        Chosen? best = null;
        try
        {
            foreach (var choice in Choices(AlphaCandidates))
            {
                var model = Train(new MLContext(seed: Seed), dataset, withAttributes: true, choice, epochs);
                best = ChooseBest(dataset, model, choice, best, candidates, "full_model", vectors: new[] { IdItemVector.Item, IdItemVector.ItemAndAttributes });
            }

            methods["full_model"] = ScoreChosen(dataset, best!, trainedOnly: false);

            // Diagnostic, not one of the protocol's methods: the chosen model and ranking with the items it did not train
            // given no vector, as item2vec has them, to see what the attribute-built vectors do to the rankings.
            methods["full_model_trained_vectors_only"] = ScoreChosen(dataset, best!, trainedOnly: true);
        }
        finally
        {
            best?.Model.Dispose();
        }

        string? reason = FastTextSkipGram.Unavailable();
        double? fastTextPairsPerEpoch = null;
        var fastTextCandidates = new Dictionary<string, double>();
        VectorScoring? fastTextScoring = null;
        if (reason is null)
        {
            using var scope = TorchSharp.torch.NewDisposeScope();
            var fastText = FastTextSkipGram.Train(dataset.TrainingSequences, dataset.Items, Dimension, Window, Negatives, epochs, Environment.ProcessorCount, Seed);
            fastTextPairsPerEpoch = FastTextSkipGram.ExpectedPairsPerPass(dataset.TrainingSequences, Window);
            var nextItemScores = IdsRanking.NextItemScores(fastText.Output, fastText.LogPriors, fastText.Known);
            var inputVectors = TorchSharp.torch.tensor(fastText.Input).view(-1, Dimension);
            IdsRanking.Scorer Scorer(VectorScoring scoring) => IdsRanking.Vectors(scoring, inputVectors, fastText.Known, nextItemScores);
            foreach (var scoring in VectorScoring.Candidates)
            {
                using var candidateScope = TorchSharp.torch.NewDisposeScope();
                fastTextCandidates[scoring.ToString()] = IdsRanking.Evaluate(dataset, dataset.Validation, Scorer(scoring)).HitRate;
                fastTextScoring = fastTextScoring is null || fastTextCandidates[scoring.ToString()] > fastTextCandidates[fastTextScoring.ToString()] ? scoring : fastTextScoring;
            }

            methods["fasttext"] = Score(dataset, Scorer(fastTextScoring!), fastTextScoring!, fastText.Seconds, fastTextPairsPerEpoch * epochs / fastText.Seconds, pairsPerEpoch * (double)epochs / fastText.Seconds);
            AnsiConsole.MarkupLine($"  fasttext ({fastTextScoring}): {fastText.Seconds:F1} s, {methods["fasttext"]!.PairsPerSecond:N0} pairs/s ({fastTextPairsPerEpoch / pairsPerEpoch:P1} of the window pairs), HR@10 {methods["fasttext"]!.HrAt10:F4}");
        }
        else
        {
            methods["fasttext"] = null;
        }

        return new IdsDatasetResult
        {
            Users = dataset.UserCount,
            Items = dataset.Items.Length,
            ColdItems = dataset.Cold.Count(c => c),
            TestCases = dataset.Test.Count,
            ColdTestCases = dataset.Test.Count(c => dataset.Cold[c.Target]),
            TrainingInteractions = dataset.TrainingSequences.Sum(s => s.Length),
            TrainingPairsPerEpoch = pairsPerEpoch,
            FasttextPairsPerEpoch = fastTextPairsPerEpoch,
            AttributeColumns = dataset.AttributeColumns.Select(c => $"{c.Name} ({c.Dimension})").ToList(),
            Methods = methods,
            Item2VecSampler = item2vec!.Choice.Sampler.ToString(),
            Item2VecLearningRate = item2vec.Choice.LearningRate,
            Item2VecScoring = item2vec.Scoring.ToString(),
            Item2VecValidationHrAt10 = item2vecCandidates,
            FullModelAlpha = best!.Choice.Alpha,
            FullModelSampler = best.Choice.Sampler.ToString(),
            FullModelLearningRate = best.Choice.LearningRate,
            FullModelItemVector = best.Vector.ToString(),
            FullModelScoring = best.Scoring.ToString(),
            FullModelValidationHrAt10 = candidates,
            FasttextScoring = fastTextScoring?.ToString(),
            FasttextValidationHrAt10 = fastTextCandidates,
            FasttextReason = reason,
        };
    }

    /// <summary>
    /// Scores <paramref name="model"/> on the validation split under every ranking rule (and each of
    /// <paramref name="vectors"/> for cosine), records each in <paramref name="validationHr"/>, and returns the better of
    /// <paramref name="best"/> and the model's best rule; the model that is not kept is disposed.
    /// </summary>
    private static Chosen ChooseBest(IdsDataset dataset, IdEmbeddingTransformer model, TrainingChoice choice, Chosen? best, Dictionary<string, double> validationHr, string label, IdItemVector[] vectors)
    {
        Chosen? modelBest = null;
        foreach (var scoring in VectorScoring.Candidates)
        {
            // Next-item scores always use the joint vectors; only cosine reads the item vector representation.
            foreach (var vector in scoring.Ranking == VectorRanking.Cosine ? vectors : new[] { IdItemVector.ItemAndAttributes })
            {
                using var scope = TorchSharp.torch.NewDisposeScope();
                var candidate = new Chosen(model, choice, vector, scoring);
                double hr = IdsRanking.Evaluate(dataset, dataset.Validation, ModelScorer(dataset, candidate, trainedOnly: false)).HitRate;
                validationHr[candidate.ToString()] = hr;
                if (modelBest is null || hr > validationHr[modelBest.ToString()])
                {
                    modelBest = candidate;
                }
            }
        }

        var summary = model.TrainingSummary!;
        AnsiConsole.MarkupLine($"  {label} {choice}: {summary.Seconds:F1} s, {summary.PairsPerSecond:N0} pairs/s, best validation HR@10 {validationHr[modelBest!.ToString()]:F4} ({modelBest.Scoring}, {modelBest.Vector})");
        if (best is null || validationHr[modelBest.ToString()] > validationHr[best.ToString()])
        {
            best?.Model.Dispose();
            return modelBest;
        }

        model.Dispose();
        return best;
    }

    /// <summary>The test and validation figures of a chosen model and rule, with all its items or (<paramref name="trainedOnly"/>) only those it trained.</summary>
    private static IdsMethodResult ScoreChosen(IdsDataset dataset, Chosen chosen, bool trainedOnly)
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        var summary = chosen.Model.TrainingSummary!;
        var result = Score(dataset, ModelScorer(dataset, chosen, trainedOnly), chosen.Scoring, summary.Seconds, summary.PairsPerSecond, summary.PairsPerSecond);
        AnsiConsole.MarkupLine($"  chosen {chosen}{(trainedOnly ? ", trained vectors only" : string.Empty)}: HR@10 {result.HrAt10:F4}, val HR@10 {result.ValidationHrAt10:F4}, cold HR@10 {result.ColdHrAt10:F4}");
        return result;
    }

    /// <summary>
    /// The scorer of a model under a rule. Cosine compares the model's item vectors (<see cref="Chosen.Vector"/>);
    /// next-item scores come from the transformer's own <c>NextItemScores</c>, over its items, mapped to the dataset's (an
    /// item without a vector is no candidate). With <paramref name="trainedOnly"/>, items the model did not train have no vector.
    /// </summary>
    private static IdsRanking.Scorer ModelScorer(IdsDataset dataset, Chosen chosen, bool trainedOnly)
    {
        var space = chosen.Model.Space;
        int known = space.Items.Count;
        var index = dataset.Items.Select(space.Items.IndexOf).ToArray();
        var hasVector = index.Select(i => i >= 0 && space.HasVector(i) && (!trainedOnly || i < space.TrainedItemCount)).ToArray();
        // Dataset item → the model's item index; items without a vector point at an extra row of zeros (and column of -∞).
        var columns = TorchSharp.torch.tensor(index.Select((i, d) => hasVector[d] ? (long)i : known).ToArray());
        TorchSharp.torch.Tensor DatasetRows(TorchSharp.torch.Tensor table) =>
            TorchSharp.torch.cat(new[] { table, TorchSharp.torch.zeros(1, table.shape[1]) }, 0).index_select(0, columns);
        if (chosen.Scoring.Ranking == VectorRanking.Cosine)
        {
            // The ItemAndAttributes vector is the joint target vector [e_i1, w_i2 e_i2, …]; the Item vector its first m_1 values.
            int width = chosen.Vector == IdItemVector.ItemAndAttributes ? (int)space.JointTargets.shape[1] : Dimension;
            return IdsRanking.Vectors(chosen.Scoring, DatasetRows(space.JointTargets.narrow(1, 0, width)), hasVector);
        }

        return IdsRanking.Vectors(
            chosen.Scoring,
            DatasetRows(space.JointTargets),
            hasVector,
            queries =>
            {
                var scores = space.NextItemScores(queries);
                return TorchSharp.torch.cat(new[] { scores, TorchSharp.torch.full(scores.shape[0], 1, double.NegativeInfinity) }, 1).index_select(1, columns);
            });
    }

    /// <summary>Every combination of the samplers, the learning rates and <paramref name="alphas"/>.</summary>
    private static IEnumerable<TrainingChoice> Choices(double[] alphas) =>
        from sampler in SamplerCandidates
        from learningRate in LearningRateCandidates
        from alpha in alphas
        select new TrainingChoice(sampler, learningRate, alpha);

    private static IdEmbeddingTransformer Train(MLContext mlContext, IdsDataset dataset, bool withAttributes, TrainingChoice choice, int epochs)
    {
        var interactions = dataset.TrainingSequences.SelectMany((sequence, user) => sequence.Select((item, position) => new Interaction { User = user, Item = item, Position = position }));
        var names = dataset.AttributeColumns.Select(c => c.Name).ToArray();
        var itemRows = dataset.Items.Select((item, i) => new ItemRow(item, dataset.AttributeIds[i])).ToList();
        var options = new IdEmbeddingOptions
        {
            UserColumnName = nameof(Interaction.User),
            ItemColumnName = nameof(Interaction.Item),
            TimestampColumnName = nameof(Interaction.Position),
            ItemAttributes = withAttributes ? mlContext.Data.LoadFromEnumerable(itemRows) : null,
            AttributeColumns = withAttributes ? dataset.AttributeColumns.Select((c, k) => new AttributeIdColumn($"A{k}", c.Dimension)).ToArray() : Array.Empty<AttributeIdColumn>(),
            Alpha = choice.Alpha,
            LearningRate = choice.LearningRate,
            ItemVector = withAttributes ? IdItemVector.ItemAndAttributes : IdItemVector.Item,
            ItemDimension = Dimension,
            WindowSize = Window,
            NegativeCount = Negatives,
            NegativeSampler = choice.Sampler,
            Epochs = epochs,
            Seed = Seed,
            LogEveryNSteps = 100,
        };
        return mlContext.Transforms.IdEmbedding(options).Fit(mlContext.Data.LoadFromEnumerable(interactions));
    }

    /// <summary>
    /// The method's test and validation figures; <paramref name="pairsPerSecond"/> counts the pairs it trains on,
    /// <paramref name="windowPairsPerSecond"/> every window pair of the training sequences (the same for our models).
    /// </summary>
    private static IdsMethodResult Score(IdsDataset dataset, IdsRanking.Scorer scorer, VectorScoring? scoring, double trainSeconds, double? pairsPerSecond, double? windowPairsPerSecond)
    {
        var test = IdsRanking.Evaluate(dataset, dataset.Test, scorer);
        var validation = IdsRanking.Evaluate(dataset, dataset.Validation, scorer);
        return new IdsMethodResult
        {
            HrAt10 = test.HitRate,
            MrrAt10 = test.Mrr,
            ColdHrAt10 = test.ColdHitRate,
            ValidationHrAt10 = validation.HitRate,
            Scoring = scoring?.ToString(),
            TrainSeconds = trainSeconds,
            PairsPerSecond = pairsPerSecond,
            WindowPairsPerSecond = windowPairsPerSecond,
        };
    }

    private static void Print(IdsBenchmarkResult result)
    {
        var table = new Table().Title("bench ids");
        table.AddColumns("dataset", "method", "HR@10", "MRR@10", "cold HR@10", "val HR@10", "train s", "pairs/s", "window pairs/s");
        foreach (var (name, dataset) in result.Datasets)
        {
            foreach (var (method, m) in dataset.Methods)
            {
                table.AddRow(name, method, F(m?.HrAt10), F(m?.MrrAt10), F(m?.ColdHrAt10), F(m?.ValidationHrAt10), m?.TrainSeconds.ToString("F1") ?? "-", m?.PairsPerSecond?.ToString("N0") ?? "-", m?.WindowPairsPerSecond?.ToString("N0") ?? "-");
            }
        }

        AnsiConsole.Write(table);
        foreach (var (target, reached) in result.Targets)
        {
            AnsiConsole.WriteLine($"{target}: {(reached is null ? "not measured" : reached.Value ? "reached" : "NOT reached")}");
        }
    }

    private static string F(double? value) => value?.ToString("F4") ?? "-";

    /// <summary>
    /// The full model's cold HR@10 ≥ 1.5 × content's; not measured (null) without cold test cases, or when content hits
    /// none (a bar of 0 that any result would "reach").
    /// </summary>
    private static bool? ColdTarget(Dictionary<string, IdsMethodResult?> methods) =>
        methods["full_model"]!.ColdHrAt10 is double full && methods["content"]!.ColdHrAt10 is double content && content > 0 ? full >= 1.5 * content : null;

    /// <summary>A trained candidate with the item vector and ranking rule it is scored by; written "sampler/learning rate/α/item vector/rule".</summary>
    private sealed record Chosen(IdEmbeddingTransformer Model, TrainingChoice Choice, IdItemVector Vector, VectorScoring Scoring)
    {
        public override string ToString() => $"{Choice}/{(Scoring.Ranking == VectorRanking.Cosine ? Vector.ToString() : "joint")}/{Scoring}";
    }

    /// <summary>The training settings a candidate model is chosen by; written "sampler/learning rate/α".</summary>
    private sealed record TrainingChoice(NegativeSamplerKind Sampler, double LearningRate, double Alpha)
    {
        public override string ToString() => FormattableString.Invariant($"{Sampler}/{LearningRate}/{Alpha}");
    }

    private sealed class Interaction
    {
        public int User { get; set; }
        public string Item { get; set; } = string.Empty;
        public int Position { get; set; }
    }

    /// <summary>An item with up to five attribute IDs (A0…A4; unused ones stay empty).</summary>
    private sealed class ItemRow
    {
        public ItemRow(string item, string?[] ids)
        {
            Item = item;
            A0 = At(ids, 0); A1 = At(ids, 1); A2 = At(ids, 2); A3 = At(ids, 3); A4 = At(ids, 4);
        }

        public string Item { get; set; }
        public string A0 { get; set; }
        public string A1 { get; set; }
        public string A2 { get; set; }
        public string A3 { get; set; }
        public string A4 { get; set; }

        private static string At(string?[] ids, int k) => k < ids.Length ? ids[k] ?? string.Empty : string.Empty;
    }
}
