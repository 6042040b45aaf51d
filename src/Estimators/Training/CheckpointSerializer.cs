using System.Security.Cryptography;
using System.Text;
using MLNetExtensions.Transforms.IO;
using static TorchSharp.torch;

namespace MLNetExtensions.Estimators.Training;

/// <summary>
/// The checkpoint file format: an 8-byte magic, an int32 format version, the payload, and a SHA-256 of everything
/// before it. Written atomically through <see cref="AtomicFile"/>; read back only after the checksum matched.
/// </summary>
internal static class CheckpointSerializer
{
    private const int HashLength = 32;
    private static readonly byte[] Magic = "MLNXCKPT"u8.ToArray();
    private static readonly int HeaderLength = Magic.Length + sizeof(int);

    /// <summary>Writes <paramref name="checkpoint"/> to <paramref name="path"/> atomically.</summary>
    public static void Write(string path, TrainingCheckpoint checkpoint, Func<Stream, Stream>? decorator = null) =>
        AtomicFile.Write(path, stream => WriteTo(stream, checkpoint), decorator);

    /// <summary>Reads and verifies a checkpoint.</summary>
    public static TrainingCheckpoint Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Checkpoint '{path}' does not exist.", path);
        }

        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 20);
        long length = file.Length;
        if (length < HeaderLength + HashLength)
        {
            throw new InvalidDataException($"Checkpoint '{path}' is truncated: it has {length} bytes, fewer than any checkpoint.");
        }

        var header = new byte[HeaderLength];
        file.ReadExactly(header);
        if (!header.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw new InvalidDataException($"'{path}' is not a training checkpoint (its first bytes are not the checkpoint marker).");
        }

        int version = System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(Magic.Length));
        if (version != TrainingCheckpoint.CurrentFormatVersion)
        {
            throw new InvalidDataException(
                $"Checkpoint '{path}' has format version {version}; this build reads version {TrainingCheckpoint.CurrentFormatVersion}.");
        }

        VerifyChecksum(file, length, path);

        file.Position = HeaderLength;
        using var reader = new BinaryReader(file, Encoding.UTF8, leaveOpen: true);
        var checkpoint = new TrainingCheckpoint(ownsTensors: true) { FormatVersion = version };
        try
        {
            ReadPayload(reader, checkpoint);
            if (file.Position != length - HashLength)
            {
                throw new InvalidDataException($"{length - HashLength - file.Position} unexpected bytes follow the payload.");
            }

            return checkpoint;
        }
        catch (Exception ex) when (ex is EndOfStreamException or InvalidDataException or OverflowException or ArgumentException)
        {
            checkpoint.Dispose();
            throw new InvalidDataException($"Checkpoint '{path}' is malformed: {ex.Message}", ex);
        }
        catch
        {
            checkpoint.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The seed recorded in the checkpoint at <paramref name="path"/>, read from its header without verifying the rest;
    /// null when the file is missing or not a checkpoint of this format (loading it then says why).
    /// </summary>
    public static int? TryReadSeed(string path)
    {
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            using var reader = new BinaryReader(file, Encoding.UTF8, leaveOpen: true);
            if (!reader.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic) || reader.ReadInt32() != TrainingCheckpoint.CurrentFormatVersion)
            {
                return null;
            }

            reader.ReadString(); // the options fingerprint
            return reader.ReadInt32();
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException or FormatException)
        {
            return null;
        }
    }

    private static void WriteTo(Stream destination, TrainingCheckpoint c)
    {
        using var hashing = new HashingWriteStream(destination);
        using (var writer = new BinaryWriter(hashing, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(c.FormatVersion);
            writer.Write(c.OptionsFingerprint);
            writer.Write(c.Seed);
            writer.Write(c.GlobalStep);
            writer.Write(c.TotalSteps);
            writer.Write(c.Epoch);
            writer.Write(c.BatchesInEpoch);
            writer.Write(c.ExamplesSeen);

            writer.Write(c.BestMetric.HasValue);
            writer.Write(c.BestMetric ?? 0.0);
            writer.Write(c.BestStep ?? -1L);
            writer.Write(c.ValidationsWithoutImprovement);
            writer.Write(c.LastValidationStep);
            writer.Write(c.EarlyStopped);

            WriteTensors(writer, c.ModelTensors);

            writer.Write(c.OptimizerState.Count);
            foreach (var (name, state) in c.OptimizerState)
            {
                writer.Write(name);
                writer.Write(state.Step);
                TensorSerializer.Write(writer, "exp_avg", state.ExpAvg);
                TensorSerializer.Write(writer, "exp_avg_sq", state.ExpAvgSq);
            }

            writer.Write(c.TorchRngState.Length);
            writer.Write(c.TorchRngState);

            writer.Write(c.BestModelTensors is not null);
            if (c.BestModelTensors is not null)
            {
                WriteTensors(writer, c.BestModelTensors);
            }

            writer.Write(c.ObjectiveState is not null);
            if (c.ObjectiveState is not null)
            {
                writer.Write(c.ObjectiveState.Length);
                writer.Write(c.ObjectiveState);
            }

            writer.Flush();
        }

        destination.Write(hashing.CurrentHash());
    }

    private static void ReadPayload(BinaryReader reader, TrainingCheckpoint c)
    {
        c.OptionsFingerprint = reader.ReadString();
        c.Seed = reader.ReadInt32();
        c.GlobalStep = reader.ReadInt64();
        c.TotalSteps = reader.ReadInt64();
        c.Epoch = reader.ReadInt64();
        c.BatchesInEpoch = reader.ReadInt64();
        c.ExamplesSeen = reader.ReadInt64();

        bool hasBest = reader.ReadBoolean();
        double best = reader.ReadDouble();
        long bestStep = reader.ReadInt64();
        c.BestMetric = hasBest ? best : null;
        c.BestStep = hasBest ? bestStep : null;
        c.ValidationsWithoutImprovement = reader.ReadInt32();
        c.LastValidationStep = reader.ReadInt64();
        c.EarlyStopped = reader.ReadBoolean();

        c.ModelTensors = ReadTensors(reader);

        int stateCount = ReadCount(reader, "optimizer state");
        var states = new Dictionary<string, OptimizerParameterState>(stateCount);
        c.OptimizerState = states;
        for (int i = 0; i < stateCount; i++)
        {
            string name = reader.ReadString();
            long step = reader.ReadInt64();
            var (_, expAvg) = TensorSerializer.Read(reader);
            Tensor expAvgSq;
            try
            {
                (_, expAvgSq) = TensorSerializer.Read(reader);
            }
            catch
            {
                expAvg.Dispose();
                throw;
            }

            if (!states.TryAdd(name, new OptimizerParameterState(step, expAvg, expAvgSq)))
            {
                expAvg.Dispose();
                expAvgSq.Dispose();
                throw new InvalidDataException($"Optimizer state for '{name}' appears twice.");
            }
        }

        int rngLength = ReadCount(reader, "RNG state");
        c.TorchRngState = reader.ReadBytes(rngLength);
        if (c.TorchRngState.Length != rngLength)
        {
            throw new EndOfStreamException("The RNG state ends early.");
        }

        if (reader.ReadBoolean())
        {
            c.BestModelTensors = ReadTensors(reader);
        }

        if (reader.ReadBoolean())
        {
            int objectiveLength = ReadCount(reader, "objective state");
            c.ObjectiveState = reader.ReadBytes(objectiveLength);
            if (c.ObjectiveState.Length != objectiveLength)
            {
                throw new EndOfStreamException("The objective state ends early.");
            }
        }
    }

    private static void WriteTensors(BinaryWriter writer, IReadOnlyDictionary<string, Tensor> tensors)
    {
        writer.Write(tensors.Count);
        foreach (var (name, tensor) in tensors)
        {
            TensorSerializer.Write(writer, name, tensor);
        }
    }

    private static Dictionary<string, Tensor> ReadTensors(BinaryReader reader)
    {
        int count = ReadCount(reader, "tensor");
        var tensors = new Dictionary<string, Tensor>(count);
        try
        {
            for (int i = 0; i < count; i++)
            {
                var (name, tensor) = TensorSerializer.Read(reader);
                if (!tensors.TryAdd(name, tensor))
                {
                    tensor.Dispose();
                    throw new InvalidDataException($"Tensor '{name}' appears twice.");
                }
            }

            return tensors;
        }
        catch
        {
            foreach (var tensor in tensors.Values)
            {
                tensor.Dispose();
            }

            throw;
        }
    }

    private static int ReadCount(BinaryReader reader, string what)
    {
        int count = reader.ReadInt32();
        if (count < 0)
        {
            throw new InvalidDataException($"Negative {what} count {count}.");
        }

        return count;
    }

    private static void VerifyChecksum(FileStream file, long length, string path)
    {
        file.Position = 0;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        long remaining = length - HashLength;
        while (remaining > 0)
        {
            int read = file.Read(buffer, 0, (int)Math.Min(buffer.Length, remaining));
            if (read <= 0)
            {
                throw new InvalidDataException($"Checkpoint '{path}' could not be read to its end.");
            }

            hash.AppendData(buffer, 0, read);
            remaining -= read;
        }

        var stored = new byte[HashLength];
        file.ReadExactly(stored);
        if (!CryptographicOperations.FixedTimeEquals(stored, hash.GetCurrentHash()))
        {
            throw new InvalidDataException(
                $"Checkpoint '{path}' is truncated or corrupted: its SHA-256 checksum does not match its content.");
        }
    }
}
