using System.IO.Compression;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using MLNetExtensions.Transforms.IO;

namespace MLNetExtensions.Transforms.ModelFiles;

/// <summary>
/// One model file for every pipeline that holds components of this project: ML.NET's own zip
/// (written by <c>mlContext.Model.Save</c>, with a stand-in for each of our components) plus,
/// under <c>MLNetExtensions/</c>, a manifest and each component's payload (configuration JSON,
/// safetensors tensors, vocabulary). See docs/model-files.md.
/// </summary>
internal static class TensorModelFile
{
    /// <summary>The manifest's format name.</summary>
    public const string FormatName = "MLNetExtensions.ModelFile";

    /// <summary>
    /// The current layout version; files of a newer version are rejected with a clear message.
    /// Version 2 adds each entry's SHA-256 to the manifest and stores identical entries once (version 1 had neither).
    /// </summary>
    public const int FormatVersion = 2;

    private const string Root = "MLNetExtensions/";
    private const string ManifestEntry = Root + "manifest.json";

    [ThreadStatic]
    private static List<ITensorModelComponent>? _saving;

    /// <summary>The manifest stored in the file.</summary>
    internal sealed record Manifest(string Format, int FormatVersion, List<ComponentRecord> Components);

    /// <summary>One component of the manifest, in ML.NET's save order; <paramref name="Entries"/> (version 2) by payload entry name.</summary>
    internal sealed record ComponentRecord(int Index, string Kind, int PayloadVersion, Dictionary<string, EntryRecord>? Entries = null);

    /// <summary>Where a payload entry's bytes are stored in the zip (another component's path when they are identical) and their SHA-256.</summary>
    internal sealed record EntryRecord(string Path, string Sha256);

    /// <summary>Saves <paramref name="model"/> atomically: a failure leaves any previous file at <paramref name="path"/> untouched.</summary>
    public static void Save(MLContext mlContext, ITransformer model, DataViewSchema inputSchema, string path)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        AtomicFile.WriteFile(path, temporary =>
        {
            var components = new List<ITensorModelComponent>();
            _saving = components;
            try
            {
                mlContext.Model.Save(model, inputSchema, temporary);
            }
            finally
            {
                _saving = null;
            }

            using var zip = ZipFile.Open(temporary, ZipArchiveMode.Update);
            var manifest = new Manifest(FormatName, FormatVersion, new List<ComponentRecord>());
            var storedAt = new Dictionary<string, string>(StringComparer.Ordinal);
            for (int i = 0; i < components.Count; i++)
            {
                var writer = new ModelPayloadWriter();
                components[i].WritePayload(writer);
                var entries = new Dictionary<string, EntryRecord>(StringComparer.Ordinal);
                foreach (var (name, bytes) in writer.Entries)
                {
                    // Identical entries (the same vocabulary in a tokenizer and an encoder, say) are stored once.
                    string digest = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
                    if (!storedAt.TryGetValue(digest, out string? entryPath))
                    {
                        entryPath = $"{Root}{i:D3}/{name}";
                        storedAt[digest] = entryPath;
                        using var stream = zip.CreateEntry(entryPath, CompressionLevel.Fastest).Open();
                        stream.Write(bytes);
                    }

                    entries[name] = new EntryRecord(entryPath, digest);
                }

                manifest.Components.Add(new ComponentRecord(i, components[i].ComponentKind, components[i].PayloadVersion, entries));
            }

            var manifestEntry = zip.CreateEntry(ManifestEntry, CompressionLevel.Fastest);
            using var manifestStream = manifestEntry.Open();
            manifestStream.Write(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(manifest, ModelPayloadWriter.Json));
        });
    }

    /// <summary>Called from a component's <c>Save</c>: records it for the payload, or explains which call to use.</summary>
    internal static void OnComponentSaving(ITensorModelComponent component)
    {
        if (_saving is null)
        {
            throw new InvalidOperationException(
                $"The model contains an MLNetExtensions component ({component.ComponentKind}) whose tensors mlContext.Model.Save cannot write. Save it with mlContext.Model.SaveWithTensors(model, inputSchema, path) and load it with mlContext.Model.LoadWithTensors(path, out schema). " +
                "What ML.NET wrote before this check is incomplete: Model.Save(model, schema, path) creates the file before it saves the components, so a file that was at that path has been replaced and must be saved again.");
        }

        _saving.Add(component);
    }

    /// <summary>Loads a file written by <see cref="Save"/> (or a plain ML.NET model file).</summary>
    public static ITransformer Load(MLContext mlContext, string path, out DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Model file '{path}' does not exist.", path);
        }

        // One handle for both reads (the payloads and ML.NET's part), so that a save replacing the file in between cannot
        // mix two versions: on Unix the rename of an atomic save leaves an open handle on the old content; on Windows the
        // save's rename fails while the file is open for loading.
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
        var (manifest, payloads) = ReadPayloads(file, path);
        var components = new List<ITransformer>();
        try
        {
            for (int i = 0; i < manifest.Components.Count; i++)
            {
                var record = manifest.Components[i];
                string description = $"Model file '{path}', component {i} ({record.Kind})";
                var loader = TensorModelComponentRegistry.Find(record.Kind, $"Model file '{path}'");
                var reader = new ModelPayloadReader(payloads[i], description);
                ITransformer component;
                try
                {
                    component = loader(mlContext, reader, record.PayloadVersion);
                }
                catch (Exception exception) when (exception is ArgumentException or InvalidDataException or InvalidOperationException
                    && !exception.Message.Contains($"Model file '{path}'", StringComparison.Ordinal))
                {
                    // A component that rejects its own payload (settings that contradict its tensors, class names that are
                    // not of their declared type) is named with the file, as the integrity checks name it.
                    throw new InvalidDataException($"{description} cannot be rebuilt from its payload: {exception.Message}", exception);
                }

                (component as TensorMappingTransformer)?.AttachTrainingRecord(reader.ReadOptionalText(TensorMappingTransformer.TrainingRecordEntry));
                components.Add(component);
            }

            mlContext.ComponentCatalog.RegisterAssembly(typeof(TensorPayloadCarrier).Assembly);
            ITransformer model;
            using (TensorPayloadCarrier.BeginLoading())
            {
                try
                {
                    file.Position = 0;
                    model = mlContext.Model.Load(file, out inputSchema);
                }
                catch (Exception exception) when (exception is not OutOfMemoryException)
                {
                    throw new InvalidDataException($"Model file '{path}' could not be read by ML.NET: {exception.Message}", exception);
                }
            }

            int next = 0;
            var result = ReplaceStandIns(model, components, path, ref next);
            if (next != components.Count)
            {
                throw new InvalidDataException($"Model file '{path}' declares {components.Count} MLNetExtensions components but its ML.NET part holds {next}: the file is inconsistent.");
            }

            return result;
        }
        catch
        {
            foreach (var component in components.OfType<IDisposable>())
            {
                component.Dispose();
            }

            throw;
        }
    }

    private static (Manifest Manifest, List<Dictionary<string, byte[]>> Payloads) ReadPayloads(Stream file, string path)
    {
        try
        {
            using var zip = new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: true);
            var manifestEntry = zip.GetEntry(ManifestEntry);
            if (manifestEntry is null)
            {
                return (new Manifest(FormatName, FormatVersion, new List<ComponentRecord>()), new List<Dictionary<string, byte[]>>());
            }

            Manifest manifest;
            using (var stream = manifestEntry.Open())
            {
                manifest = System.Text.Json.JsonSerializer.Deserialize<Manifest>(stream, ModelPayloadWriter.Json)
                    ?? throw new InvalidDataException($"Model file '{path}' has an empty manifest.");
            }

            if (manifest.Format != FormatName)
            {
                throw new InvalidDataException($"Model file '{path}' has a manifest of format '{manifest.Format}', expected '{FormatName}'.");
            }

            if (manifest.FormatVersion < 1 || manifest.FormatVersion > FormatVersion)
            {
                throw new InvalidDataException(
                    $"Model file '{path}' is of MLNetExtensions format version {manifest.FormatVersion}; this version of the library reads versions 1 to {FormatVersion}. Upgrade MLNetExtensions to load it.");
            }

            var payloads = new List<Dictionary<string, byte[]>>();
            for (int i = 0; i < manifest.Components.Count; i++)
            {
                var record = manifest.Components[i];
                payloads.Add(manifest.FormatVersion == 1
                    ? ReadVersion1Payload(zip, i, path, record)
                    : ReadVerifiedPayload(zip, path, record));
            }

            return (manifest, payloads);
        }
        catch (Exception exception) when (exception is InvalidDataException or System.Text.Json.JsonException or IOException)
        {
            if (exception is InvalidDataException && exception.Message.StartsWith("Model file", StringComparison.Ordinal))
            {
                throw;
            }

            throw new InvalidDataException($"Model file '{path}' is truncated or corrupted: {exception.Message}", exception);
        }
    }

    /// <summary>Version 2: each entry is read from the path the manifest gives; the zip's CRC-32 and the manifest's SHA-256 are both checked.</summary>
    private static Dictionary<string, byte[]> ReadVerifiedPayload(ZipArchive zip, string path, ComponentRecord record)
    {
        if (record.Entries is null)
        {
            throw new InvalidDataException($"Model file '{path}', component {record.Index} ({record.Kind}) lists no entries in its manifest: the file is corrupted.");
        }

        var entries = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (name, stored) in record.Entries)
        {
            string where = $"Model file '{path}', component {record.Index} ({record.Kind}), entry '{name}'";
            var entry = zip.GetEntry(stored.Path)
                ?? throw new InvalidDataException($"{where} is missing from the file (expected at '{stored.Path}'): the file is incomplete.");
            byte[] bytes = ReadCheckingCrc(entry, where);
            string actual = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
            if (!string.Equals(actual, stored.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidDataException($"{where} is corrupted: its SHA-256 is {actual} but the manifest records {stored.Sha256}.");
            }

            entries[name] = bytes;
        }

        return entries;
    }

    /// <summary>Version 1: entries under <c>MLNetExtensions/NNN/</c>, with no digests; the zip's CRC-32 is still checked.</summary>
    private static Dictionary<string, byte[]> ReadVersion1Payload(ZipArchive zip, int index, string path, ComponentRecord record)
    {
        string prefix = $"{Root}{index:D3}/";
        var entries = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var entry in zip.Entries.Where(e => e.FullName.StartsWith(prefix, StringComparison.Ordinal)))
        {
            string name = entry.FullName[prefix.Length..];
            entries[name] = ReadCheckingCrc(entry, $"Model file '{path}', component {index} ({record.Kind}), entry '{name}'");
        }

        return entries;
    }

    /// <summary>Reads an entry whole; .NET's zip reader does not check CRC-32, so a flipped bit would otherwise pass unnoticed.</summary>
    private static byte[] ReadCheckingCrc(ZipArchiveEntry entry, string where)
    {
        using var memory = new MemoryStream();
        try
        {
            using var stream = entry.Open();
            stream.CopyTo(memory);
        }
        catch (InvalidDataException exception)
        {
            throw new InvalidDataException($"{where} is corrupted: {exception.Message}", exception);
        }

        byte[] bytes = memory.ToArray();
        uint crc = System.IO.Hashing.Crc32.HashToUInt32(bytes);
        if (crc != entry.Crc32)
        {
            throw new InvalidDataException($"{where} is corrupted: its CRC-32 is {crc:x8} but the zip records {entry.Crc32:x8}.");
        }

        return bytes;
    }

    private static ITransformer ReplaceStandIns(ITransformer transformer, List<ITransformer> components, string path, ref int next)
    {
        if (transformer is CustomMappingTransformer<TensorPayloadCarrier.Row, TensorPayloadCarrier.Row>)
        {
            if (next >= components.Count)
            {
                throw new InvalidDataException(components.Count == 0
                    ? $"Model file '{path}' holds MLNetExtensions components but no '{ManifestEntry}' with their tensors: the file was edited or only partly written; save the model again with mlContext.Model.SaveWithTensors."
                    : $"Model file '{path}' holds more MLNetExtensions stand-ins than its manifest declares ({components.Count}): the file is inconsistent.");
            }

            return components[next++];
        }

        if (transformer is TransformerChain<ITransformer> chain)
        {
            var children = new List<ITransformer>();
            foreach (var child in chain)
            {
                children.Add(ReplaceStandIns(child, components, path, ref next));
            }

            return new TransformerChain<ITransformer>(children.ToArray());
        }

        return transformer;
    }
}
