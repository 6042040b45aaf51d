using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace MLNetExtensions.Tests.TestSupport;

/// <summary>
/// Edits a payload entry of a saved model file the way a consistent writer would (new bytes, new SHA-256 in the
/// manifest), so a test can reach the checks that come after integrity: shapes, vocabulary sizes, settings.
/// </summary>
internal static class ModelFileSurgery
{
    private const string Manifest = "MLNetExtensions/manifest.json";

    /// <summary>Rewrites the one payload entry whose name ends with <paramref name="nameSuffix"/> through <paramref name="edit"/>.</summary>
    public static void RewriteText(string path, string nameSuffix, Func<string, string> edit)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Update);
        var entry = zip.Entries.Single(e => e.FullName.StartsWith("MLNetExtensions/0", StringComparison.Ordinal) && e.FullName.EndsWith(nameSuffix, StringComparison.Ordinal));
        string text;
        using (var reader = new StreamReader(entry.Open()))
        {
            text = reader.ReadToEnd();
        }

        string entryPath = entry.FullName;
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(edit(text));
        entry.Delete();
        using (var stream = zip.CreateEntry(entryPath).Open())
        {
            stream.Write(bytes);
        }

        var manifestEntry = zip.GetEntry(Manifest)!;
        JsonNode manifest;
        using (var stream = manifestEntry.Open())
        {
            manifest = JsonNode.Parse(stream)!;
        }

        foreach (var component in manifest["Components"]!.AsArray())
        {
            foreach (var (_, stored) in component!["Entries"]!.AsObject())
            {
                if (stored!["Path"]!.GetValue<string>() == entryPath)
                {
                    stored["Sha256"] = Convert.ToHexStringLower(SHA256.HashData(bytes));
                }
            }
        }

        manifestEntry.Delete();
        using var writer = new StreamWriter(zip.CreateEntry(Manifest).Open());
        writer.Write(manifest.ToJsonString());
    }
}
