using System.Diagnostics;
using System.Globalization;

namespace MLNetExtensions.Samples.Bench;

/// <summary>
/// fastText's skip-gram (<c>/usr/bin/fasttext skipgram</c>) on the benchmark's training sequences, one line per user, with
/// the same dimension, window, negatives and epochs; word-level only (<c>-minn 0 -maxn 0</c>: IDs are not words, and
/// character n-grams of IDs would be attribute information the item2vec comparison must not have), every item kept
/// (<c>-minCount 1</c>), other settings at fastText's defaults.
/// </summary>
internal static class FastTextSkipGram
{
    public const string Command = "/usr/bin/fasttext";

    /// <summary>Why fastText cannot run here, or null when it can.</summary>
    public static string? Unavailable() => File.Exists(Command) ? null : $"{Command} is not installed (Debian package 'fasttext')";

    /// <summary>Trains and returns the vectors of <paramref name="items"/> (zero for items fastText has none for) and the training seconds.</summary>
    public static (float[] Vectors, double Seconds) Train(IReadOnlyList<string[]> sequences, IReadOnlyList<string> items, int dimension, int window, int negatives, int epochs, int threads, int seed)
    {
        string directory = Directory.CreateTempSubdirectory("ids-fasttext-").FullName;
        try
        {
            string input = Path.Combine(directory, "train.txt");
            File.WriteAllLines(input, sequences.Select(s => string.Join(' ', s)));
            string output = Path.Combine(directory, "model");
            var start = new ProcessStartInfo(Command) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (string argument in new[]
            {
                "skipgram", "-input", input, "-output", output, "-dim", Text(dimension), "-ws", Text(window), "-neg", Text(negatives),
                "-epoch", Text(epochs), "-minCount", "1", "-minn", "0", "-maxn", "0", "-thread", Text(threads), "-seed", Text(seed), "-verbose", "0",
            })
            {
                start.ArgumentList.Add(argument);
            }

            var clock = Stopwatch.StartNew();
            using (var process = Process.Start(start)!)
            {
                var errors = process.StandardError.ReadToEndAsync();
                process.StandardOutput.ReadToEnd();
                process.WaitForExit();
                if (process.ExitCode != 0)
                {
                    throw new InvalidOperationException($"fasttext failed (exit code {process.ExitCode}): {errors.Result}");
                }
            }

            double seconds = clock.Elapsed.TotalSeconds;
            var index = items.Select((item, i) => (item, i)).ToDictionary(p => p.item, p => p.i, StringComparer.Ordinal);
            var vectors = new float[items.Count * dimension];
            foreach (string line in File.ReadLines(output + ".vec").Skip(1))
            {
                var parts = line.TrimEnd().Split(' ');
                if (parts.Length == dimension + 1 && index.TryGetValue(parts[0], out int i))
                {
                    for (int d = 0; d < dimension; d++)
                    {
                        vectors[(i * dimension) + d] = float.Parse(parts[d + 1], CultureInfo.InvariantCulture);
                    }
                }
            }

            return (vectors, seconds);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
