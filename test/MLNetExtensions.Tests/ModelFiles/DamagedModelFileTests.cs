using System.IO.Compression;
using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExtensions.Estimators.FineTuning;
using MLNetExtensions.Transforms.Text;
using MLNetExtensions.Tests.FineTuning;
using MLNetExtensions.Tests.TestSupport;
using MLNetExtensions.Transforms.ModelFiles;

namespace MLNetExtensions.Tests.ModelFiles;

/// <summary>
/// Model files damaged on purpose are refused with an error naming the file and the entry, never loaded with
/// garbled tensors; identical entries (a pipeline's shared vocabulary) are stored once; version-1 files still load.
/// </summary>
[Collection(TorchGlobalStateCollection.Name)]
public sealed class DamagedModelFileTests : IDisposable
{
    private const string Manifest = "MLNetExtensions/manifest.json";
    private readonly FineTuningTestData _data = new();
    private readonly MLContext _mlContext = new(seed: 5);
    private readonly IDataView _sentences;
    private readonly ITransformer _model;
    private readonly string _path;

    public DamagedModelFileTests()
    {
        _sentences = _mlContext.Data.LoadFromEnumerable(FineTuningTestData.Sentiment(32, seed: 4));
        // A tokenizer and a classifier over the same vocabulary: two components, one shared entry.
        _model = _mlContext.Transforms.Text.TokenizeIntoWordPieces(_data.VocabularyPath, maximumLength: 16)
            .Append(_mlContext.BinaryClassification.Trainers.BertClassifier(_data.Options(epochs: 1)))
            .Fit(_sentences);
        _path = Path.Combine(_data.Directory, "model.zip");
        _mlContext.Model.SaveWithTensors(_model, _sentences.Schema, _path);
    }

    [Fact]
    public void AFlippedBitInAnyPayloadEntry_IsRefused_NamingTheFileAndTheEntry()
    {
        byte[] original = File.ReadAllBytes(_path);
        var entries = EntriesByName(original);
        entries.Keys.Should().Contain(new[] { "model.safetensors", "vocab.txt" });

        foreach (var (name, blob) in entries)
        {
            var (start, length) = CompressedDataRange(original, blob);
            foreach (double position in new[] { 0.1, 0.5, 0.97 })
            {
                byte[] damaged = (byte[])original.Clone();
                damaged[start + (long)(position * (length - 1))] ^= 0x10;
                string path = Path.Combine(_data.Directory, $"flipped-{name}-{position}.zip");
                File.WriteAllBytes(path, damaged);

                var act = () => _mlContext.Model.LoadWithTensors(path, out _);
                act.Should().Throw<InvalidDataException>($"a bit flipped at {position:P0} of '{name}' must be detected")
                    .Where(e => e.Message.Contains(path) && e.Message.Contains($"entry '{name}'"));
            }
        }
    }

    [Fact]
    public void AnEntryRewrittenWithAConsistentZipCrc_FailsItsManifestDigest()
    {
        string blob = EntriesByName(File.ReadAllBytes(_path))["model.safetensors"];
        using (var zip = ZipFile.Open(_path, ZipArchiveMode.Update))
        {
            var entry = zip.GetEntry(blob)!;
            byte[] bytes;
            using (var stream = entry.Open())
            using (var memory = new MemoryStream())
            {
                stream.CopyTo(memory);
                bytes = memory.ToArray();
            }

            bytes[^3] ^= 0x01;
            entry.Delete();
            using var rewritten = zip.CreateEntry(blob).Open();
            rewritten.Write(bytes);
        }

        var act = () => _mlContext.Model.LoadWithTensors(_path, out _);
        act.Should().Throw<InvalidDataException>().WithMessage($"*{_path}*entry 'model.safetensors'*SHA-256*");
    }

    [Fact]
    public void AMissingBlob_AndAMissingManifest_AreNamed()
    {
        string copy = Path.Combine(_data.Directory, "no-blob.zip");
        File.Copy(_path, copy);
        using (var zip = ZipFile.Open(copy, ZipArchiveMode.Update))
        {
            zip.GetEntry(EntriesByName(File.ReadAllBytes(_path))["vocab.txt"])!.Delete();
        }

        var missingBlob = () => _mlContext.Model.LoadWithTensors(copy, out _);
        missingBlob.Should().Throw<InvalidDataException>().WithMessage($"*{copy}*entry 'vocab.txt' is missing*");

        using (var zip = ZipFile.Open(_path, ZipArchiveMode.Update))
        {
            zip.GetEntry(Manifest)!.Delete();
        }

        var missingManifest = () => _mlContext.Model.LoadWithTensors(_path, out _);
        missingManifest.Should().Throw<InvalidDataException>().WithMessage($"*{_path}*no '{Manifest}'*");
    }

    [Fact]
    public void TheSharedVocabulary_IsStoredOnce()
    {
        using var zip = ZipFile.OpenRead(_path);
        var components = ReadManifest(zip)["Components"]!.AsArray();
        components.Should().HaveCount(2);
        string[] vocabularyPaths = components.Select(c => c!["Entries"]!["vocab.txt"]!["Path"]!.GetValue<string>()).ToArray();
        vocabularyPaths.Distinct().Should().ContainSingle("the tokenizer and the classifier hold the same vocabulary");
        zip.Entries.Count(e => e.FullName.EndsWith("/vocab.txt", StringComparison.Ordinal)).Should().Be(1);
        zip.Entries.Count(e => e.FullName.StartsWith("MLNetExtensions/0", StringComparison.Ordinal))
            .Should().Be(components.SelectMany(c => c!["Entries"]!.AsObject().Select(p => p.Value!["Path"]!.GetValue<string>())).Distinct().Count());
    }

    [Fact]
    public void AVersion1File_StillLoads_WithIdenticalOutputs()
    {
        string version1 = Path.Combine(_data.Directory, "version1.zip");
        File.Copy(_path, version1);
        using (var zip = ZipFile.Open(version1, ZipArchiveMode.Update))
        {
            var manifest = ReadManifest(zip);
            var components = manifest["Components"]!.AsArray();
            for (int i = 0; i < components.Count; i++)
            {
                var entries = components[i]!["Entries"]!.AsObject();
                foreach (var (name, stored) in entries)
                {
                    string own = $"MLNetExtensions/{i:D3}/{name}";
                    if (zip.GetEntry(own) is null)
                    {
                        byte[] bytes = ReadEntry(zip, stored!["Path"]!.GetValue<string>());
                        using var stream = zip.CreateEntry(own).Open();
                        stream.Write(bytes);
                    }
                }

                components[i]!.AsObject().Remove("Entries");
            }

            manifest["FormatVersion"] = 1;
            zip.GetEntry(Manifest)!.Delete();
            using var writer = new StreamWriter(zip.CreateEntry(Manifest).Open());
            writer.Write(manifest.ToJsonString());
        }

        var loaded = _mlContext.Model.LoadWithTensors(version1, out _);
        loaded.Transform(_sentences).GetColumn<float>("Score").Should().Equal(_model.Transform(_sentences).GetColumn<float>("Score"));
        DisposeAll(loaded);
    }

    public void Dispose()
    {
        DisposeAll(_model);
        _data.Dispose();
    }

    private static void DisposeAll(ITransformer model)
    {
        foreach (var transformer in ((IEnumerable<ITransformer>)model).OfType<IDisposable>())
        {
            transformer.Dispose();
        }
    }

    /// <summary>Payload entry name → the zip path holding it, over every component (the names of this pipeline are unique per content).</summary>
    private static Dictionary<string, string> EntriesByName(byte[] file)
    {
        using var zip = new ZipArchive(new MemoryStream(file), ZipArchiveMode.Read);
        var result = new Dictionary<string, string>();
        foreach (var component in ReadManifest(zip)["Components"]!.AsArray())
        {
            foreach (var (name, stored) in component!["Entries"]!.AsObject())
            {
                result[name] = stored!["Path"]!.GetValue<string>();
            }
        }

        return result;
    }

    private static JsonObject ReadManifest(ZipArchive zip) => JsonNode.Parse(ReadEntry(zip, Manifest))!.AsObject();

    private static byte[] ReadEntry(ZipArchive zip, string name)
    {
        using var stream = zip.GetEntry(name)!.Open();
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }

    /// <summary>Where an entry's compressed bytes lie in the file, from its local file header.</summary>
    private static (long Start, long Length) CompressedDataRange(byte[] file, string entryName)
    {
        long compressedLength;
        using (var zip = new ZipArchive(new MemoryStream(file), ZipArchiveMode.Read))
        {
            compressedLength = zip.GetEntry(entryName)!.CompressedLength;
        }

        byte[] name = System.Text.Encoding.UTF8.GetBytes(entryName);
        int nameAt = file.AsSpan().IndexOf(name);
        nameAt.Should().BeGreaterThan(30, "the local header precedes the name");
        int header = nameAt - 30;
        BitConverter.ToUInt32(file, header).Should().Be(0x04034b50u, "a local file header signature");
        int extraLength = BitConverter.ToUInt16(file, header + 28);
        return (nameAt + name.Length + extraLength, compressedLength);
    }
}
