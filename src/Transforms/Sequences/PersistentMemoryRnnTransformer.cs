using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExtensions.Transforms.Classification;
using MLNetExtensions.Transforms.DataView;
using MLNetExtensions.Transforms.ModelFiles;
using static TorchSharp.torch;

namespace MLNetExtensions.Transforms.Sequences;

/// <summary>
/// A fitted persistent-memory RNN (or LSTM/GRU) as an ML.NET transformer: reads a float-vector column of sequences and
/// adds, for multiclass classification, <c>PredictedLabel</c> (key) and <c>Score</c> (class probabilities) shaped as
/// the project's other classifiers and ML.NET's own (so <c>mlContext.MulticlassClassification.Evaluate</c> accepts
/// them), or for regression <c>Score</c> (Single); optionally the addressing weights of every step. Needs only this
/// assembly.
/// </summary>
public sealed class PersistentMemoryRnnTransformer : TensorMappingTransformer
{
    private const string Kind = "PersistentMemoryRnn";
    private const string ModelEntry = "model.safetensors";

    /// <summary>
    /// Rows per model run. CPU matrix-product kernels choose their summation order from the matrix shape, so the model
    /// always runs on this many rows (the last chunk filled with one-step zero sequences): a row then gets the same
    /// arithmetic in a <c>PredictionEngine</c> as in a batched <c>Transform</c>.
    /// </summary>
    private const int ChunkRows = 32;

    private readonly PersistentMemoryRnn _model;
    private readonly ClassificationOutput? _classification;
    private readonly object _forwardLock = new();
    private BatchRowMapper? _mapper;

    internal PersistentMemoryRnnTransformer(PersistentMemoryRnn model, PersistentMemoryRnnSettings settings)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(settings);
        int outputs = settings.NumberOfClasses ?? 1;
        if (model.Config.Outputs != outputs)
        {
            throw new ArgumentException($"The model has {model.Config.Outputs} outputs but the settings declare {outputs}.", nameof(settings));
        }

        if (settings.AddressingColumnName is not null && !model.Config.HasMemory)
        {
            throw new ArgumentException($"AddressingColumnName is set, but a {model.Config.CellKind} cell has no memory to address.", nameof(settings));
        }

        _model = model;
        _model.eval();
        Settings = settings;
        _classification = settings.NumberOfClasses is int classes
            ? ClassificationOutput.Multiclass(classes, settings.ScoreColumnName, settings.PredictedLabelColumnName, KeyValueNames.FromSettings(settings.ClassNames, settings.ClassNameType))
            : null;
        OutputColumns = CreateOutputColumns(settings, _classification);
    }

    /// <summary>The network's architecture.</summary>
    public PersistentMemoryRnnConfig Config => _model.Config;

    /// <summary>Columns and classes.</summary>
    public PersistentMemoryRnnSettings Settings { get; }

    /// <summary>The network (read-only use: it is shared with this transformer).</summary>
    public PersistentMemoryRnn Model => _model;

    private protected override string ComponentKind => Kind;

    private protected override BatchRowMapper Mapper => _mapper ??= new SequenceMapper(this);

    private IReadOnlyList<MappedColumn> OutputColumns { get; }

    /// <summary>The columns a transformer with these settings adds, in order.</summary>
    internal static IReadOnlyList<MappedColumn> CreateOutputColumns(PersistentMemoryRnnSettings settings, ClassificationOutput? classification)
    {
        var columns = classification is not null
            ? classification.Columns.ToList()
            : new List<MappedColumn> { new(settings.ScoreColumnName, NumberDataViewType.Single) };
        if (settings.AddressingColumnName is { } addressing)
        {
            columns.Add(new MappedColumn(addressing, new VectorDataViewType(NumberDataViewType.Single)));
        }

        return columns;
    }

    /// <summary>
    /// The raw outputs (class logits, or the regression value) of each sequence and, when <paramref name="addressing"/> is
    /// true and the cell has a memory, its addressing weights (steps × K, time-major).
    /// </summary>
    /// <param name="sequences">One vector per sequence, of n·D values.</param>
    /// <param name="addressing">Also return the addressing weights.</param>
    /// <exception cref="InvalidOperationException">A sequence is empty, not a whole number of steps, or holds NaN/∞.</exception>
    public (float[][] Outputs, float[][]? Addressing) Compute(IReadOnlyList<float[]> sequences, bool addressing = false)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        int stepSize = Config.StepSize;
        foreach (var sequence in sequences)
        {
            SequenceTensors.Check(sequence, stepSize, Settings.FeatureColumnName);
        }

        bool keepAddressing = addressing && Config.HasMemory;
        var outputs = new float[sequences.Count][];
        var weights = keepAddressing ? new float[sequences.Count][] : null;
        lock (_forwardLock)
        {
            ThrowIfDisposed(); // under the lock that Dispose takes too, so the model cannot be freed mid-forward
            for (int start = 0; start < sequences.Count; start += ChunkRows)
            {
                int count = Math.Min(ChunkRows, sequences.Count - start);
                var chunk = sequences.Skip(start).Take(count).ToList();
                using var scope = NewDisposeScope();
                using var noGrad = no_grad();
                var (x, lengths) = SequenceTensors.Pad(chunk, stepSize, _model.parameters().First().device, ChunkRows - count);
                var result = _model.Run(x, lengths, keepAddressing);
                var values = result.Outputs.cpu().data<float>().ToArray();
                int width = Config.Outputs;
                for (int i = 0; i < count; i++)
                {
                    outputs[start + i] = values.AsSpan(i * width, width).ToArray();
                }

                if (weights is not null)
                {
                    var a = result.Addressing!.cpu();
                    for (int i = 0; i < count; i++)
                    {
                        long steps = chunk[i].Length / stepSize;
                        weights[start + i] = a[i].narrow(0, 0, steps).contiguous().data<float>().ToArray();
                    }
                }
            }
        }

        return (outputs, weights);
    }

    /// <inheritdoc />
    private protected override void DisposeModel()
    {
        lock (_forwardLock)
        {
            _model.Dispose();
        }
    }

    internal static void RegisterLoader() => TensorModelComponentRegistry.Register(Kind, Load);

    private protected override void WritePayload(ModelPayloadWriter writer)
    {
        writer.WriteJson("config.json", Config);
        writer.WriteJson("settings.json", Settings);
        writer.WriteModule(ModelEntry, _model);
    }

    private static ITransformer Load(MLContext mlContext, ModelPayloadReader reader, int payloadVersion)
    {
        if (payloadVersion != 1)
        {
            throw new InvalidDataException($"{reader.Description}: payload version {payloadVersion} is not supported (this library reads version 1).");
        }

        var config = reader.ReadJson<PersistentMemoryRnnConfig>("config.json");
        var settings = reader.ReadJson<PersistentMemoryRnnSettings>("settings.json");

        // The initial values are overwritten; a private generator keeps torch's global one untouched.
        using var generator = new Generator(0);
        var model = new PersistentMemoryRnn(config, generator);
        try
        {
            reader.ReadModule(ModelEntry, model);
            return new PersistentMemoryRnnTransformer(model, settings);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The rows' output values, in <see cref="OutputColumns"/> order.</summary>
    private IReadOnlyList<object[]> ComputeRows(IReadOnlyList<float[]> sequences)
    {
        bool addressing = Settings.AddressingColumnName is not null;
        var (outputs, weights) = Compute(sequences, addressing);
        var rows = new object[outputs.Length][];
        for (int i = 0; i < outputs.Length; i++)
        {
            var values = _classification is not null ? _classification.Map(outputs[i]) : new object[] { outputs[i][0] };
            rows[i] = addressing ? values.Append(weights![i]).ToArray() : values;
        }

        return rows;
    }

    /// <summary>The sequence column in, the task's columns out, one forward pass per chunk of rows.</summary>
    private sealed class SequenceMapper : BatchRowMapper
    {
        private readonly PersistentMemoryRnnTransformer _owner;

        public SequenceMapper(PersistentMemoryRnnTransformer owner)
        {
            _owner = owner;
            OutputColumns = owner.OutputColumns;
            InputColumnNames = new[] { owner.Settings.FeatureColumnName };
        }

        public override IReadOnlyList<MappedColumn> OutputColumns { get; }

        public override IReadOnlyList<string> InputColumnNames { get; }

        public override void CheckInputSchema(DataViewSchema inputSchema) =>
            CheckFeatureColumn(inputSchema, _owner.Settings.FeatureColumnName, _owner.Config.StepSize);

        public override RowBatchComputer CreateComputer(DataViewRow input) =>
            new FloatVectorBatchComputer(input, _owner.Settings.FeatureColumnName, _owner.ComputeRows);
    }

    /// <summary>Checks that <paramref name="column"/> is a vector of Single whose known size (if any) is a whole number of steps.</summary>
    /// <exception cref="ArgumentOutOfRangeException">It is missing, of another type, or of a size that is not a multiple of <paramref name="stepSize"/>.</exception>
    internal static void CheckFeatureColumn(DataViewSchema schema, string column, int stepSize)
    {
        var found = schema.GetColumnOrNull(column);
        if (found is null)
        {
            throw new ArgumentOutOfRangeException("FeatureColumnName", $"Input column '{column}' (FeatureColumnName) was not found; expected a vector of Single holding a sequence.");
        }

        if (found.Value.Type is not VectorDataViewType { ItemType: NumberDataViewType } vector || vector.ItemType != NumberDataViewType.Single)
        {
            throw new ArgumentOutOfRangeException("FeatureColumnName", $"Input column '{column}' (FeatureColumnName) must be a vector of Single holding a sequence, but it is {found.Value.Type}.");
        }

        if (vector.Size % stepSize != 0)
        {
            throw new ArgumentOutOfRangeException("StepSize", $"Column '{column}' has a fixed size of {vector.Size} values, which is not a whole number of steps of StepSize = {stepSize}.");
        }
    }
}
