using System.Globalization;
using System.Text;
using System.Text.Json;
using MLNetExtensions.Estimators.Plans;
using MLNetExtensions.Transforms.IO;

namespace MLNetExtensions.Estimators.Sweeps;

/// <summary>
/// The outcome of a sweep: every trial that ran (settings, plan, runs, status), the ranking (highest rung completed
/// first, then lowest validation loss, then lowest id; failed trials are not ranked) and the best settings.
/// </summary>
/// <typeparam name="TSettings">The settings type of the sweep's space.</typeparam>
public sealed class SweepResult<TSettings>
    where TSettings : class, ISweepSettings<TSettings>
{
    internal SweepResult(
        string name,
        string strategy,
        int? seed,
        IReadOnlyDictionary<string, string> searchSpace,
        IReadOnlyList<string> sweptDimensions,
        CandidateSet<TSettings> candidates,
        IReadOnlyList<SweepTrial<TSettings>> trials,
        long stepsIfAllRanInFull,
        bool cancelled)
    {
        Name = name;
        Strategy = strategy;
        Seed = seed;
        SearchSpace = searchSpace;
        SweptDimensions = sweptDimensions;
        CandidateCount = candidates.Candidates.Count;
        SkippedCount = candidates.SkippedCount;
        SkipReasons = candidates.SkipReasons;
        Trials = trials;
        Ranking = trials.Where(t => t.Rank is not null).OrderBy(t => t.Rank).ToArray();
        StepsIfAllRanInFull = stepsIfAllRanInFull;
        Cancelled = cancelled;
        TotalStepsRun = trials.Sum(t => t.StepsRun);
        TotalSeconds = trials.Sum(t => t.Seconds);
    }

    /// <summary>The sweep's name.</summary>
    public string Name { get; }

    /// <summary>The search strategy, described.</summary>
    public string Strategy { get; }

    /// <summary>The seed the candidates depend on, or null.</summary>
    public int? Seed { get; }

    /// <summary>Each swept setting's dimension, described.</summary>
    public IReadOnlyDictionary<string, string> SearchSpace { get; }

    /// <summary>The names of the swept settings.</summary>
    public IReadOnlyList<string> SweptDimensions { get; }

    /// <summary>How many candidates were proposed.</summary>
    public int CandidateCount { get; }

    /// <summary>How many combinations or draws were skipped as invalid.</summary>
    public int SkippedCount { get; }

    /// <summary>The distinct reasons they were skipped.</summary>
    public IReadOnlyList<string> SkipReasons { get; }

    /// <summary>Every trial that ran (at least once), by id.</summary>
    public IReadOnlyList<SweepTrial<TSettings>> Trials { get; }

    /// <summary>The ranked trials, best first.</summary>
    public IReadOnlyList<SweepTrial<TSettings>> Ranking { get; }

    /// <summary>The best trial, or null when none completed a run.</summary>
    public SweepTrial<TSettings>? Best => Ranking.Count > 0 ? Ranking[0] : null;

    /// <summary>The best trial's settings (a copy; their <see cref="ISweepSettings{TSettings}.BuildPlan"/> gives its plan), or null.</summary>
    public TSettings? BestSettings => Best?.Settings.Clone();

    /// <summary>Whether the sweep was cancelled before it finished.</summary>
    public bool Cancelled { get; }

    /// <summary>Steps run by all trials together.</summary>
    public long TotalStepsRun { get; }

    /// <summary>The steps running every proposed candidate with its full budget would take.</summary>
    public long StepsIfAllRanInFull { get; }

    /// <summary>Wall-clock seconds of all trials together.</summary>
    public double TotalSeconds { get; }

    /// <summary>Writes <see cref="ToJson"/> to <paramref name="path"/> atomically (a temp file renamed over it), creating its directory.</summary>
    /// <param name="path">The file, e.g. <see cref="SweepResult.DefaultPath"/>.</param>
    public void WriteJson(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        AtomicFile.Write(path, stream =>
        {
            using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            Write(writer);
        });
    }

    /// <summary>The result as indented JSON: the sweep's fields, the ranking (trial ids), the best trial and every trial with its settings, runs and plan.</summary>
    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            Write(writer);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The trials as a ranked table: rank, trial, the swept settings, rung, budget, steps, seconds, validation loss, status.</summary>
    public SweepTable ToTable()
    {
        var columns = new List<string> { "Rank", "Trial" };
        columns.AddRange(SweptDimensions);
        columns.AddRange(new[] { "Rung", "Budget", "Steps", "Seconds", "Validation loss", "Status" });
        var ordered = Ranking.Concat(Trials.Where(t => t.Rank is null).OrderBy(t => t.Id));
        var rows = ordered.Select(trial =>
        {
            var cells = new List<string>
            {
                trial.Rank is int rank ? rank.ToString(CultureInfo.InvariantCulture) : "-",
                trial.Id.ToString(CultureInfo.InvariantCulture),
            };
            cells.AddRange(SweptDimensions.Select(d => trial.Values.TryGetValue(d, out object? v) ? Cell(v) : string.Empty));
            cells.Add(trial.Rung.ToString(CultureInfo.InvariantCulture));
            cells.Add(trial.BudgetFraction.ToString("0.###", CultureInfo.InvariantCulture));
            cells.Add(trial.StepsRun.ToString(CultureInfo.InvariantCulture));
            cells.Add(trial.Seconds.ToString("F1", CultureInfo.InvariantCulture));
            cells.Add(trial.ValidationLoss is double loss ? loss.ToString("F4", CultureInfo.InvariantCulture) : "-");
            cells.Add(trial.Message is null ? SweepResult.StatusText(trial.Status) : $"{SweepResult.StatusText(trial.Status)}: {trial.Message}");
            return (IReadOnlyList<string>)cells;
        }).ToArray();
        return new SweepTable(columns, rows);
    }

    private static string Cell(object value) => value switch
    {
        double d => d.ToString("G4", CultureInfo.InvariantCulture),
        _ => SweepValues.Format(value),
    };

    private void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("name", Name);
        writer.WriteString("strategy", Strategy);
        if (Seed is int seed)
        {
            writer.WriteNumber("seed", seed);
        }
        else
        {
            writer.WriteNull("seed");
        }

        writer.WriteBoolean("cancelled", Cancelled);
        writer.WriteStartObject("searchSpace");
        foreach (var (dimension, description) in SearchSpace)
        {
            writer.WriteString(dimension, description);
        }

        writer.WriteEndObject();
        writer.WriteNumber("candidates", CandidateCount);
        writer.WriteNumber("skipped", SkippedCount);
        writer.WriteStartArray("skipReasons");
        foreach (string reason in SkipReasons)
        {
            writer.WriteStringValue(reason);
        }

        writer.WriteEndArray();
        writer.WriteNumber("totalStepsRun", TotalStepsRun);
        writer.WriteNumber("stepsIfAllRanInFull", StepsIfAllRanInFull);
        writer.WriteNumber("totalSeconds", TotalSeconds);
        writer.WriteStartArray("ranking");
        foreach (var trial in Ranking)
        {
            writer.WriteNumberValue(trial.Id);
        }

        writer.WriteEndArray();
        if (Best is { } best)
        {
            writer.WriteStartObject("best");
            writer.WriteNumber("trial", best.Id);
            WriteNumberOrNull(writer, "validationLoss", best.ValidationLoss);
            WriteValues(writer, "settings", best.Values);
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteNull("best");
        }

        writer.WriteStartArray("trials");
        foreach (var trial in Trials)
        {
            WriteTrial(writer, trial);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteTrial(Utf8JsonWriter writer, SweepTrial<TSettings> trial)
    {
        writer.WriteStartObject();
        writer.WriteNumber("id", trial.Id);
        if (trial.Rank is int rank)
        {
            writer.WriteNumber("rank", rank);
        }
        else
        {
            writer.WriteNull("rank");
        }

        writer.WriteString("status", SweepResult.StatusText(trial.Status));
        writer.WriteString("message", trial.Message);
        writer.WriteNumber("rung", trial.Rung);
        writer.WriteNumber("budgetFraction", trial.BudgetFraction);
        writer.WriteNumber("steps", trial.StepsRun);
        writer.WriteNumber("seconds", trial.Seconds);
        WriteNumberOrNull(writer, "validationLoss", trial.ValidationLoss);
        WriteMetrics(writer, trial.Metrics);
        WriteValues(writer, "settings", trial.Values);
        writer.WriteStartArray("runs");
        foreach (var run in trial.History)
        {
            writer.WriteStartObject();
            writer.WriteNumber("rung", run.Rung);
            writer.WriteNumber("budgetFraction", run.BudgetFraction);
            writer.WriteNumber("plannedSteps", run.PlannedSteps);
            writer.WriteNumber("steps", run.StepsRun);
            writer.WriteNumber("seconds", run.Seconds);
            WriteNumberOrNull(writer, "validationLoss", run.ValidationLoss);
            writer.WriteString("status", SweepResult.StatusText(run.Status));
            writer.WriteString("message", run.Message);
            WriteMetrics(writer, run.Metrics);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WritePropertyName("plan");
        using (var plan = JsonDocument.Parse(trial.PlanJson))
        {
            plan.RootElement.WriteTo(writer);
        }

        writer.WriteEndObject();
    }

    private static void WriteValues(Utf8JsonWriter writer, string property, IReadOnlyDictionary<string, object> values)
    {
        writer.WriteStartObject(property);
        foreach (var (name, value) in values)
        {
            switch (value)
            {
                case int i:
                    writer.WriteNumber(name, i);
                    break;
                case long l:
                    writer.WriteNumber(name, l);
                    break;
                case double d when double.IsFinite(d):
                    writer.WriteNumber(name, d);
                    break;
                case bool b:
                    writer.WriteBoolean(name, b);
                    break;
                default:
                    writer.WriteString(name, SweepValues.Format(value));
                    break;
            }
        }

        writer.WriteEndObject();
    }

    private static void WriteMetrics(Utf8JsonWriter writer, IReadOnlyDictionary<string, double> metrics)
    {
        writer.WriteStartObject("metrics");
        foreach (var (name, value) in metrics.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (double.IsFinite(value))
            {
                writer.WriteNumber(name, value);
            }
            else
            {
                writer.WriteString(name, value.ToString(CultureInfo.InvariantCulture));
            }
        }

        writer.WriteEndObject();
    }

    private static void WriteNumberOrNull(Utf8JsonWriter writer, string property, double? value)
    {
        if (value is double number)
        {
            writer.WriteNumber(property, number);
        }
        else
        {
            writer.WriteNull(property);
        }
    }
}

/// <summary>What every sweep result shares: where its file goes by convention, and how statuses are written.</summary>
public static class SweepResult
{
    /// <summary>The conventional place of a sweep's file: <c>artifacts/sweep/&lt;name&gt;.json</c> under <paramref name="root"/>.</summary>
    /// <param name="name">The sweep's name; a file name without directories.</param>
    /// <param name="root">The directory holding <c>artifacts</c>; null for the current directory.</param>
    public static string DefaultPath(string name, string? root = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || name is "." or "..")
        {
            throw new ArgumentException($"The sweep name '{name}' cannot be a file name.", nameof(name));
        }

        return Path.Combine(root ?? ".", "artifacts", "sweep", name + ".json");
    }

    /// <summary>How a status is written in files and tables.</summary>
    internal static string StatusText(TrialStatus status) => status switch
    {
        TrialStatus.Completed => "completed",
        TrialStatus.StoppedEarly => "stopped-early",
        TrialStatus.Failed => "failed",
        TrialStatus.Cancelled => "cancelled",
        TrialStatus.InProgress => "in-progress",
        _ => status.ToString(),
    };
}
