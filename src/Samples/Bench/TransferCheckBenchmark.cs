using Microsoft.ML;
using MLNetExtensions.Samples.Commands;
using MLNetExtensions.Samples.Console;
using MLNetExtensions.Samples.Reporting;
using MLNetExtensions.Transforms.Bert;
using Spectre.Console;
using static TorchSharp.torch;

namespace MLNetExtensions.Samples.Bench;

/// <summary>
/// <c>bench bert-base-transfer-check</c>: what the encoder saved by <c>bench bert-base</c> knows that fine-tuning could
/// use. It lists the nearest word pieces of sentiment words in the pre-trained word-embedding table, and fine-tunes the
/// pre-trained and the random start on the validation sentences (never the test split) under several seeds, at the
/// benchmark's short schedule and at a longer, gentler one that keeps more of the pre-trained weights.
/// Writes artifacts/bench/bert-base-transfer-check.json.
/// </summary>
internal static class TransferCheckBenchmark
{
    /// <summary>Words whose nearest neighbours show whether the embedding table separates sentiment.</summary>
    private static readonly string[] ProbeWords = { "good", "great", "excellent", "love", "bad", "terrible", "awful", "boring" };

    private const int NeighbourCount = 8;

    public static int Run(bool quick)
    {
        string modelPath = BertBaseBenchmark.SavedEncoderPath("bert-base", quick);
        if (!File.Exists(modelPath))
        {
            throw new FileNotFoundException($"'{modelPath}' does not exist; run 'bench bert-base{(quick ? " --quick" : string.Empty)}' first, it saves the pre-trained encoder there.", modelPath);
        }

        var mlContext = new MLContext(seed: 42);
        using var pretrained = ModelFileInput.LoadEncoder(mlContext, modelPath);
        var neighbours = NearestWordPieces(pretrained, ProbeWords, NeighbourCount);

        var baseSetup = BertBaseBenchmark.FineTuning(quick);
        var schedules = quick
            ? new[] { new Schedule(1e-3, baseSetup.Epochs) }
            : new[] { new Schedule(1e-3, baseSetup.Epochs), new Schedule(3e-4, 10) };
        var seeds = quick ? new[] { 8 } : new[] { 8, 9, 10 };
        var comparisons = schedules.Select(schedule =>
        {
            var setup = baseSetup with { Epochs = schedule.Epochs, LearningRate = schedule.LearningRate };
            var fromPretrained = ValidationAccuracies(mlContext, setup, seeds, pretrained, null, "pre-trained");
            var fromScratch = ValidationAccuracies(mlContext, setup, seeds, null, pretrained.Config, "from scratch");
            return new ScheduleComparison(schedule.LearningRate, schedule.Epochs, seeds, fromPretrained, fromScratch);
        }).ToList();

        var result = new TransferCheckResult(modelPath, neighbours, comparisons);
        JsonArtifact.Write(Path.Combine("artifacts", "bench", "bert-base-transfer-check.json"), result);

        var table = new Table().Title("validation accuracy (mean over seeds)");
        table.AddColumns("learning rate", "epochs", "pre-trained", "from scratch");
        foreach (var c in comparisons)
        {
            table.AddRow(c.LearningRate.ToString("G2"), c.Epochs.ToString(), c.MeanPretrained.ToString("F3"), c.MeanScratch.ToString("F3"));
        }

        AnsiConsole.Write(table);
        foreach (var (word, nearest) in neighbours)
        {
            AnsiConsole.WriteLine($"{word}: {string.Join(", ", nearest)}");
        }

        return 0;
    }

    private static IReadOnlyList<double> ValidationAccuracies(MLContext mlContext, FineTuneSetup setup, IReadOnlyList<int> seeds, BertEmbeddingTransformer? pretrained, BertConfig? scratchConfig, string name) =>
        seeds.Select(seed => StagedProgressBar.Run(
            $"{name} at {setup.LearningRate:G2} for {setup.Epochs} epochs, seed {seed}",
            p => SentimentFineTuning.ValidationAccuracy(mlContext, setup with { Seed = seed }, pretrained, scratchConfig, StagedProgressBar.ForSingleRun(p, "validation"))))
        .ToList();

    /// <summary>The word pieces whose embeddings have the highest cosine similarity to each word's own.</summary>
    private static IReadOnlyDictionary<string, IReadOnlyList<string>> NearestWordPieces(BertEmbeddingTransformer encoder, IReadOnlyList<string> words, int count)
    {
        // The model's own vocabulary (saved in its file), not the shipped one it may or may not have been trained with.
        var vocabulary = encoder.Tokenizer.VocabularyText.Split('\n').Select(line => line.TrimEnd('\r')).ToArray();
        using var scope = NewDisposeScope();
        using var model = new BertModel(encoder.Config, addPoolingLayer: false);
        encoder.CopyEncoderTo(model);
        var table = nn.functional.normalize(model.Embeddings.WordEmbeddings.Weight.detach(), dim: 1);
        var result = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var word in words)
        {
            var pieces = encoder.Tokenizer.EncodeWithoutSpecialTokens(word);
            if (pieces.Count != 1)
            {
                throw new InvalidOperationException($"'{word}' is not a single word piece in the model's vocabulary ({pieces.Count} pieces).");
            }

            var similarity = mv(table, table[pieces[0]]);
            var nearest = similarity.topk(count + 1).indexes.data<long>().ToArray();
            result[word] = nearest.Where(id => id != pieces[0]).Take(count).Select(id => vocabulary[id]).ToList();
        }

        return result;
    }

    private sealed record Schedule(double LearningRate, int Epochs);
}

/// <summary>One fine-tuning schedule's validation accuracies for both starts.</summary>
internal sealed record ScheduleComparison(double LearningRate, int Epochs, IReadOnlyList<int> Seeds, IReadOnlyList<double> AccuraciesPretrained, IReadOnlyList<double> AccuraciesScratch)
{
    public double MeanPretrained => AccuraciesPretrained.Average();

    public double MeanScratch => AccuraciesScratch.Average();
}

/// <summary>artifacts/bench/bert-base-transfer-check.json.</summary>
internal sealed record TransferCheckResult(string Model, IReadOnlyDictionary<string, IReadOnlyList<string>> NearestWordPieces, IReadOnlyList<ScheduleComparison> Schedules);
