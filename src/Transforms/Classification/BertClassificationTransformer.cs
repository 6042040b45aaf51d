using Microsoft.ML;
using MLNetExtensions.Transforms.Bert;
using MLNetExtensions.Transforms.DataView;
using MLNetExtensions.Transforms.ModelFiles;
using MLNetExtensions.Transforms.Text;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetExtensions.Transforms.Classification;

/// <summary>
/// A fine-tuned BERT sequence classifier as an ML.NET transformer: reads a text column (or a pair of them), runs
/// <see cref="BertForSequenceClassification"/> on batches of rows, and adds score and predicted-label columns whose
/// form depends on the task (<see cref="BertBinaryClassificationTransformer"/>, <see cref="BertMulticlassClassificationTransformer"/>).
/// Needs only this assembly: applications that load a model file do not reference the training side.
/// </summary>
public abstract class BertClassificationTransformer : TensorMappingTransformer
{
    private const string ModelEntry = "model.safetensors";

    /// <summary>
    /// Rows per run of the head (pooling and classifier). CPU matrix-product kernels pick their algorithm, and so the
    /// order of their sums, from the matrix shape: a one-row product and a 7-row product of the same rows can differ in
    /// the last bit. Running the head always on this many rows (the last chunk padded with zeros) gives every row the
    /// same arithmetic whatever the batch it comes in, so <c>PredictionEngine</c> and batched <c>Transform</c> agree exactly.
    /// </summary>
    private const int HeadRows = 64;

    private readonly BertForSequenceClassification _model;
    private readonly object _forwardLock = new();
    private BatchRowMapper? _mapper;

    private protected BertClassificationTransformer(BertForSequenceClassification model, WordPieceEncoder encoder, BertClassificationSettings settings)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(settings);
        if (model.NumLabels != settings.NumberOfClasses)
        {
            throw new ArgumentException($"The model has {model.NumLabels} outputs but the settings declare {settings.NumberOfClasses} classes.", nameof(settings));
        }

        if (model.Pooling != settings.Pooling)
        {
            throw new ArgumentException($"The model pools with {model.Pooling} but the settings declare {settings.Pooling}.", nameof(settings));
        }

        _model = model;
        _model.eval();
        Tokenizer = encoder;
        Settings = settings;
    }

    /// <summary>The encoder's configuration.</summary>
    public BertConfig Config => _model.Config;

    /// <summary>The WordPiece encoder the model was trained with.</summary>
    public WordPieceEncoder Tokenizer { get; }

    /// <summary>Columns, maximum length and number of classes.</summary>
    public BertClassificationSettings Settings { get; }

    /// <summary>Number of classes (2 for binary classification).</summary>
    public int NumberOfClasses => Settings.NumberOfClasses;

    /// <summary>The classifier (read-only use: it is shared with this transformer).</summary>
    internal BertForSequenceClassification Model => _model;

    private protected override BatchRowMapper Mapper => _mapper ??= new ClassificationMapper(this);

    /// <summary>The columns added and how logits become their values (shared with the project's other classifiers).</summary>
    private protected abstract ClassificationOutput Output { get; }

    /// <summary>
    /// The class logits of each text (or pair): one array of <see cref="NumberOfClasses"/> values per row, computed in
    /// evaluation mode (no dropout).
    /// </summary>
    /// <param name="texts">The texts (null is treated as empty).</param>
    /// <param name="secondTexts">The second texts of sentence pairs, one per text, or null for single texts.</param>
    /// <returns>The logits.</returns>
    /// <exception cref="ArgumentException">
    /// <paramref name="secondTexts"/> is given to a classifier of single texts, missing for one of sentence pairs (its
    /// <see cref="BertClassificationSettings.SecondTextColumnName"/> is set), or of another length than <paramref name="texts"/>.
    /// </exception>
    /// <exception cref="ObjectDisposedException">The transformer is disposed.</exception>
    public float[][] ComputeLogits(IReadOnlyList<string?> texts, IReadOnlyList<string?>? secondTexts = null)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if ((secondTexts is null) != (Settings.SecondTextColumnName is null))
        {
            throw new ArgumentException(
                secondTexts is null
                    ? $"This classifier was trained on sentence pairs (second text column '{Settings.SecondTextColumnName}'): give secondTexts."
                    : "This classifier was trained on single texts: leave secondTexts null.",
                nameof(secondTexts));
        }

        if (secondTexts is not null && secondTexts.Count != texts.Count)
        {
            throw new ArgumentException($"secondTexts has {secondTexts.Count} entries but texts has {texts.Count}.", nameof(secondTexts));
        }

        if (texts.Count == 0)
        {
            return Array.Empty<float[]>();
        }

        var buffer = new BertSequenceBuffer(Tokenizer, Settings.MaximumLength);
        for (int i = 0; i < texts.Count; i++)
        {
            buffer.Add(texts[i], secondTexts?[i]);
        }

        // Filler rows keep the encoder's matrix products out of the small-matrix kernels (see BertTextEncoding.MinimumTokenRows).
        for (int filler = BertTextEncoding.FillerRows(buffer.Count, Settings.MaximumLength); filler > 0; filler--)
        {
            buffer.Add(string.Empty, secondTexts is null ? null : string.Empty);
        }

        lock (_forwardLock)
        {
            ThrowIfDisposed(); // under the lock that Dispose takes too, so the model cannot be freed mid-forward
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var (ids, mask, types) = buffer.ToTensors(_model.Bert.Embeddings.WordEmbeddings.Weight.device);
            var hidden = _model.Bert.Forward(ids, mask, types).LastHiddenState;
            return BertTextEncoding.ToRows(ClassifyInFixedChunks(hidden.narrow(0, 0, texts.Count), mask.narrow(0, 0, texts.Count)));
        }
    }

    /// <inheritdoc />
    private protected override void DisposeModel()
    {
        lock (_forwardLock)
        {
            _model.Dispose();
        }
    }

    /// <summary>Logits [rows, classes] from the final hidden states [rows, length, hidden] and their padding mask, the head run on <see cref="HeadRows"/> rows at a time.</summary>
    private Tensor ClassifyInFixedChunks(Tensor hidden, Tensor mask)
    {
        long rows = hidden.shape[0];
        var chunks = new List<Tensor>();
        for (long start = 0; start < rows; start += HeadRows)
        {
            long count = Math.Min(HeadRows, rows - start);
            var chunkHidden = hidden.narrow(0, start, count);
            var chunkMask = mask.narrow(0, start, count);
            if (count < HeadRows)
            {
                chunkHidden = cat(new[] { chunkHidden, zeros(new[] { HeadRows - count, hidden.shape[1], hidden.shape[2] }, dtype: hidden.dtype, device: hidden.device) }, 0);
                chunkMask = cat(new[] { chunkMask, zeros(new[] { HeadRows - count, mask.shape[1] }, dtype: mask.dtype, device: mask.device) }, 0);
            }

            // The dropout between pooling and classifier is the identity in evaluation mode.
            chunks.Add(_model.Classifier.forward(_model.Pool(chunkHidden, chunkMask)).narrow(0, 0, count));
        }

        return cat(chunks, 0);
    }

    private protected override void WritePayload(ModelPayloadWriter writer)
    {
        BertPayload.WriteConfig(writer, Config);
        writer.WriteJson("settings.json", Settings);
        BertPayload.WriteTokenizer(writer, Tokenizer);
        writer.WriteModule(ModelEntry, _model);
    }

    /// <summary>Reads what <see cref="WritePayload"/> wrote: the model with its tensors, the encoder and the settings.</summary>
    private protected static (BertForSequenceClassification Model, WordPieceEncoder Encoder, BertClassificationSettings Settings) ReadPayload(ModelPayloadReader reader, int payloadVersion)
    {
        BertPayload.RequireVersion(reader, payloadVersion, 1);
        var config = BertPayload.ReadConfig(reader);
        var settings = reader.ReadJson<BertClassificationSettings>("settings.json");
        if (settings.NumberOfClasses < 2)
        {
            throw new InvalidDataException($"{reader.Description}: settings.json declares {settings.NumberOfClasses} classes; a classifier has at least 2.");
        }

        var encoder = BertPayload.ReadTokenizer(reader, config);

        // The initial values are overwritten; a private generator keeps torch's global one untouched.
        using var generator = new Generator(0);
        var model = new BertForSequenceClassification(config, settings.NumberOfClasses, generator, settings.Pooling);
        try
        {
            reader.ReadModule(ModelEntry, model);
        }
        catch
        {
            model.Dispose();
            throw;
        }

        return (model, encoder, settings);
    }

    /// <summary>Text column(s) in, the task's output columns out, one forward pass per batch of rows.</summary>
    private sealed class ClassificationMapper : BatchRowMapper
    {
        private readonly BertClassificationTransformer _owner;

        public ClassificationMapper(BertClassificationTransformer owner)
        {
            _owner = owner;
            OutputColumns = owner.Output.Columns;
            InputColumnNames = owner.Settings.SecondTextColumnName is { } second
                ? new[] { owner.Settings.TextColumnName, second }
                : new[] { owner.Settings.TextColumnName };
        }

        public override IReadOnlyList<MappedColumn> OutputColumns { get; }

        public override IReadOnlyList<string> InputColumnNames { get; }

        public override void CheckInputSchema(DataViewSchema inputSchema)
        {
            WordPieceRowMapper.CheckTextColumn(inputSchema, _owner.Settings.TextColumnName, nameof(BertClassificationSettings.TextColumnName));
            if (_owner.Settings.SecondTextColumnName is { } second)
            {
                WordPieceRowMapper.CheckTextColumn(inputSchema, second, nameof(BertClassificationSettings.SecondTextColumnName));
            }
        }

        public override RowBatchComputer CreateComputer(DataViewRow input) => new Computer(_owner, input);
    }

    private sealed class Computer : RowBatchComputer
    {
        private readonly BertClassificationTransformer _owner;
        private readonly TextPairGetter _texts;
        private readonly List<string?> _first = new();
        private readonly List<string?>? _second;

        public Computer(BertClassificationTransformer owner, DataViewRow input)
        {
            _owner = owner;
            _texts = new TextPairGetter(input, owner.Settings.TextColumnName, owner.Settings.SecondTextColumnName);
            _second = owner.Settings.SecondTextColumnName is null ? null : new List<string?>();
        }

        protected override void ReadCurrentRow()
        {
            var (first, second) = _texts.Read();
            _first.Add(first);
            _second?.Add(second);
        }

        protected override IReadOnlyList<object[]> ComputeBatch(int count) =>
            _owner.ComputeLogits(_first, _second).Select(_owner.Output.Map).ToArray();

        protected override void ClearInputs()
        {
            _first.Clear();
            _second?.Clear();
        }
    }
}
