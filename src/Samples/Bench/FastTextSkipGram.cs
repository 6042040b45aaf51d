using System.Diagnostics;
using System.Globalization;

namespace MLNetExtensions.Samples.Bench;

/// <summary>
/// fastText's skip-gram (<c>/usr/bin/fasttext skipgram</c>) on the benchmark's training sequences, one line per user, with
/// the same dimension, window, negatives and epochs; word-level only (<c>-minn 0 -maxn 0</c>: IDs are not words, and
/// character n-grams of IDs would be attribute information the item2vec comparison must not have), every item kept
/// (<c>-minCount 1</c>), its frequent-item subsampling threshold pinned at its default (<c>-t 1e-4</c>), other settings at
/// fastText's defaults.
/// </summary>
/// <summary>What <see cref="FastTextSkipGram.Train"/> gives, per item in the caller's order.</summary>
/// <param name="Input">Input vectors (the .vec file), items × dimension; zero for items fastText has none for.</param>
/// <param name="Output">Output (context) vectors, items × dimension.</param>
/// <param name="LogPriors">log q(j) under fastText's negative sampler; -∞ for items it has none for.</param>
/// <param name="Known">Whether fastText has the item.</param>
/// <param name="Seconds">Training seconds.</param>
internal sealed record FastTextVectors(float[] Input, float[] Output, double[] LogPriors, bool[] Known, double Seconds);

internal static class FastTextSkipGram
{
    public const string Command = "/usr/bin/fasttext";

    /// <summary>fastText's <c>-t</c>: a token whose share of all tokens is f is kept with probability √(t/f) + t/f (at most 1).</summary>
    public const double SampleThreshold = 1e-4;

    /// <summary>fastText reads a line in pieces of at most this many tokens (its MAX_LINE_SIZE + 1).</summary>
    private const int LineTokens = 1025;

    /// <summary>Why fastText cannot run here, or null when it can.</summary>
    public static string? Unavailable() => File.Exists(Command) ? null : $"{Command} is not installed (Debian package 'fasttext')";

    /// <summary>
    /// Trains and returns, for <paramref name="items"/> in their order, the input (.vec) and output vectors (zero for items
    /// fastText has none for), the log probability of each under fastText's negative sampler (counts^0.5, its
    /// <c>NegativeSamplingLoss</c> table, <c>&lt;/s&gt;</c> included) and the training seconds.
    /// </summary>
    public static FastTextVectors Train(IReadOnlyList<string[]> sequences, IReadOnlyList<string> items, int dimension, int window, int negatives, int epochs, int threads, int seed)
    {
        string directory = Directory.CreateTempSubdirectory("ids-fasttext-").FullName;
        try
        {
            string input = Path.Combine(directory, "train.txt");
            File.WriteAllLines(input, sequences.Select(s => string.Join(' ', s)));
            string output = Path.Combine(directory, "model");
            var clock = Stopwatch.StartNew();
            Run(
                "skipgram", "-input", input, "-output", output, "-dim", Text(dimension), "-ws", Text(window), "-neg", Text(negatives),
                "-epoch", Text(epochs), "-t", SampleThreshold.ToString("R", CultureInfo.InvariantCulture), "-minCount", "1", "-minn", "0", "-maxn", "0", "-thread", Text(threads), "-seed", Text(seed), "-verbose", "0");
            double seconds = clock.Elapsed.TotalSeconds;
            var index = items.Select((item, i) => (item, i)).ToDictionary(p => p.item, p => p.i, StringComparer.Ordinal);
            var vectors = new float[items.Count * dimension];
            var known = new bool[items.Count];
            foreach (string line in File.ReadLines(output + ".vec").Skip(1))
            {
                var parts = line.TrimEnd().Split(' ');
                if (parts.Length == dimension + 1 && index.TryGetValue(parts[0], out int i))
                {
                    known[i] = true;
                    Parse(parts.AsSpan(1), vectors.AsSpan(i * dimension, dimension));
                }
            }

            // `dump dict` lists the words in the order of the rows `dump output` prints (after a line with the row count).
            var dictionary = Lines(Run("dump", output + ".bin", "dict")).Skip(1).Select(line => line.Split(' ')).ToArray();
            var rows = Lines(Run("dump", output + ".bin", "output")).Skip(1).ToArray();
            double normaliser = dictionary.Sum(entry => Math.Sqrt(long.Parse(entry[1], CultureInfo.InvariantCulture)));
            var outputVectors = new float[items.Count * dimension];
            var logPriors = new double[items.Count];
            Array.Fill(logPriors, double.NegativeInfinity);
            for (int row = 0; row < dictionary.Length; row++)
            {
                if (index.TryGetValue(dictionary[row][0], out int i))
                {
                    Parse(rows[row].TrimEnd().Split(' '), outputVectors.AsSpan(i * dimension, dimension));
                    logPriors[i] = Math.Log(Math.Sqrt(long.Parse(dictionary[row][1], CultureInfo.InvariantCulture)) / normaliser);
                }
            }

            return new FastTextVectors(vectors, outputVectors, logPriors, known, seconds);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static void Parse(ReadOnlySpan<string> values, Span<float> destination)
    {
        if (values.Length != destination.Length)
        {
            throw new InvalidDataException($"fasttext wrote a vector of {values.Length} values; expected {destination.Length}.");
        }

        for (int d = 0; d < destination.Length; d++)
        {
            destination[d] = float.Parse(values[d], CultureInfo.InvariantCulture);
        }
    }

    /// <summary>Runs <c>fasttext</c> with <paramref name="arguments"/> and returns its standard output; a failure raises its standard error.</summary>
    private static string Run(params string[] arguments)
    {
        var start = new ProcessStartInfo(Command) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"fasttext {arguments[0]} failed (exit code {process.ExitCode}): {errors.Result}");
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>
    /// The (target, context) pairs fastText's skip-gram trains on in one pass over <paramref name="sequences"/> (one line
    /// each), in expectation over its sampling, which makes it train fewer pairs than the window holds: each line ends
    /// with an end-of-line token and is read in pieces of at most 1,025 tokens; a token is kept with probability
    /// min(1, √(t/f) + t/f) (<see cref="SampleThreshold"/>, f the token's share of all tokens); each kept token pairs with
    /// the kept tokens within a boundary b drawn uniformly from 1…<paramref name="window"/> on each side. For a piece of m
    /// kept tokens that is Σ_{d=1..C} P(b ≥ d) · 2 · max(0, m − d), with P(b ≥ d) = (C − d + 1)/C; its expectation needs
    /// only E[m] and P(m = k) for k &lt; C, which a short recursion over the piece's keep probabilities gives exactly.
    /// </summary>
    public static double ExpectedPairsPerPass(IReadOnlyList<string[]> sequences, int window)
    {
        const string endOfLine = "</s>";
        var counts = new Dictionary<string, long>(StringComparer.Ordinal) { [endOfLine] = sequences.Count };
        foreach (string item in sequences.SelectMany(s => s))
        {
            counts[item] = counts.GetValueOrDefault(item) + 1;
        }

        double tokens = counts.Values.Sum();
        var keep = counts.ToDictionary(c => c.Key, c => Math.Min(1.0, Math.Sqrt(SampleThreshold * tokens / c.Value) + (SampleThreshold * tokens / c.Value)), StringComparer.Ordinal);
        double pairs = 0;
        var fewKept = new double[window]; // P(m = k) for k < C
        foreach (var sequence in sequences)
        {
            var line = sequence.Append(endOfLine).Select(token => keep[token]).ToArray();
            for (int start = 0; start < line.Length; start += LineTokens)
            {
                var piece = line.AsSpan(start, Math.Min(LineTokens, line.Length - start));
                Array.Clear(fewKept);
                fewKept[0] = 1;
                double meanKept = 0;
                foreach (double p in piece)
                {
                    meanKept += p;
                    for (int k = window - 1; k >= 0; k--)
                    {
                        fewKept[k] = (fewKept[k] * (1 - p)) + (k > 0 ? fewKept[k - 1] * p : 0);
                    }
                }

                for (int d = 1; d <= window; d++)
                {
                    // E[max(0, m − d)] = E[m] − d + Σ_{k<d} (d − k) P(m = k).
                    double beyond = meanKept - d;
                    for (int k = 0; k < d; k++)
                    {
                        beyond += (d - k) * fewKept[k];
                    }

                    pairs += 2.0 * (window - d + 1) / window * beyond;
                }
            }
        }

        return pairs;
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
