using System.Globalization;

namespace MLNetExtensions.Estimators.Training;

/// <summary>
/// The settings that shape a run's trajectory, as canonical <c>key=value</c> pairs. Two runs with the same
/// fingerprint (and the same model, data and thread count) make the same updates, which is what makes a resume exact.
/// Settings that do not change the trajectory (logging, checkpointing, threads) are left out.
/// </summary>
internal static class OptionsFingerprint
{
    public static string Create(TrainingOptions options, IReadOnlyList<ParameterGroup> groups, int seed, long totalSteps, int ranks = 1)
    {
        var pairs = new List<(string, string)>
        {
            ("Seed", F(seed)),
            ("TotalSteps", F(totalSteps)),
            ("BatchSize", F(options.BatchSize)),
            ("DropLastPartialBatch", F(options.DropLastPartialBatch)),
            ("Shuffle", F(options.Shuffle)),
            ("ShufflePoolSize", F(options.ShufflePoolSize)),
            ("LearningRate", F(options.LearningRate)),
            ("WeightDecay", F(options.WeightDecay)),
            ("Beta1", F(options.Beta1)),
            ("Beta2", F(options.Beta2)),
            ("Epsilon", F(options.Epsilon)),
            ("WarmupSteps", F(options.WarmupSteps)),
            ("WarmupFraction", F(options.WarmupFraction)),
            ("Decay", options.Decay.ToString()),
            ("ScheduleOffsetSteps", F(options.Stage?.ScheduleOffsetSteps ?? 0)),
            ("ScheduleTotalSteps", options.Stage is { } stage ? F(stage.ScheduleTotalSteps) : "run"),
            ("FinalLearningRateFraction", F(options.FinalLearningRateFraction)),
            ("MaxGradientNorm", options.MaxGradientNorm is double clip ? F(clip) : "none"),
            ("ValidateEveryNSteps", options.ValidateEveryNSteps is int every ? F(every) : "epoch"),
            ("ValidationBatchSize", F(options.ValidationBatchSize ?? options.BatchSize)),
            ("EarlyStopping", options.EarlyStopping is { } e
                ? $"{e.Metric}/{F(e.Patience)}/{F(e.MinDelta)}/{(e.LowerIsBetter ? "lower" : "higher")}/{(e.RestoreBestWeights ? "restore" : "keep")}"
                : "none"),
            ("Groups", string.Join(",", groups.Select(g => $"{g.Name}:{F(g.Parameters.Count)}:x{F(g.LearningRateMultiplier)}:{(g.ApplyWeightDecay ? "wd" : "nowd")}"))),
        };
        if (ranks > 1)
        {
            // Listed only when data-parallel, so single-process checkpoints written before this setting existed still resume.
            pairs.Add(("DataParallelRanks", F(ranks)));
        }

        return string.Join(";", pairs.Select(p => $"{p.Item1}={p.Item2}"));
    }

    /// <summary>Lists the settings that differ, as "Key: checkpoint A, now B".</summary>
    public static IReadOnlyList<string> Differences(string saved, string current)
    {
        var before = Parse(saved);
        var now = Parse(current);
        var differences = new List<string>();
        foreach (string key in before.Keys.Union(now.Keys))
        {
            before.TryGetValue(key, out string? a);
            now.TryGetValue(key, out string? b);
            if (!string.Equals(a, b, StringComparison.Ordinal))
            {
                differences.Add($"{key}: checkpoint {a ?? "(absent)"}, now {b ?? "(absent)"}");
            }
        }

        return differences;
    }

    private static Dictionary<string, string> Parse(string fingerprint) =>
        fingerprint.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .GroupBy(kv => kv[0], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Length > 1 ? g.First()[1] : string.Empty, StringComparer.Ordinal);

    private static string F(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string F(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string F(bool value) => value ? "true" : "false";
}
