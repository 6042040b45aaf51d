using System.Text.Json;
using System.Text.Json.Serialization;

namespace MLNetExtensions.Samples.Reporting;

/// <summary>Writes result JSON under artifacts/, atomically (temp file, then rename).</summary>
internal static class JsonArtifact
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>Serialises <paramref name="value"/> (snake_case names) to <paramref name="path"/>.</summary>
    public static void Write<T>(string path, T value)
    {
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string temporary = full + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(value, Options));
        File.Move(temporary, full, overwrite: true);
    }
}
