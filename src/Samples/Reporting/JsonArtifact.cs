using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using MLNetExtensions.Transforms.IO;

namespace MLNetExtensions.Samples.Reporting;

/// <summary>
/// Writes result JSON under artifacts/, atomically (temp file, then rename). Every object written gets the process's
/// peak resident memory so far as <c>peak_rss_mb</c> (unless it sets its own), so no benchmark can forget it.
/// </summary>
internal static class JsonArtifact
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    private const string PeakRssKey = "peak_rss_mb";

    /// <summary>The process's peak resident set size (Linux VmHWM), in MB.</summary>
    public static double PeakResidentMegabytes()
    {
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return Math.Round(process.PeakWorkingSet64 / (1024.0 * 1024.0), 1);
    }

    /// <summary>
    /// The machine's load average over 1, 5 and 15 minutes (/proc/loadavg), or "n/a": recorded beside timings, which
    /// other work on the machine slows.
    /// </summary>
    public static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    /// <summary>Serialises <paramref name="value"/> (snake_case names) to <paramref name="path"/>.</summary>
    public static void Write<T>(string path, T value)
    {
        var node = JsonSerializer.SerializeToNode(value, Options);
        if (node is JsonObject result && !result.ContainsKey(PeakRssKey))
        {
            result[PeakRssKey] = PeakResidentMegabytes();
        }

        AtomicFile.Write(path, stream => stream.Write(System.Text.Encoding.UTF8.GetBytes(node?.ToJsonString(Options) ?? "null")));
    }

    /// <summary>Reads a file written by <see cref="Write{T}"/> back (extra fields such as <c>peak_rss_mb</c> are ignored).</summary>
    public static T Read<T>(string path) =>
        JsonSerializer.Deserialize<T>(File.ReadAllText(path), Options) ?? throw new InvalidDataException($"'{path}' holds no result.");
}
