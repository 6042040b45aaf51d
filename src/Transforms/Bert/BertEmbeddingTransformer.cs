using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExtensions.Transforms.DataView;
using MLNetExtensions.Transforms.ModelFiles;
using MLNetExtensions.Transforms.Text;
using static TorchSharp.torch;

namespace MLNetExtensions.Transforms.Bert;

/// <summary>
/// A pre-trained BERT encoder as an ML.NET transformer: a text column becomes an <c>Embedding</c> vector
/// (hidden size, Single) pooled from the final hidden states, usable as <c>Features</c> by any ML.NET trainer.
/// Produced by the BERT pre-training estimators; records the training plan and per-stage metrics that made it.
/// </summary>
public sealed class BertEmbeddingTransformer : TensorMappingTransformer
{
    private const string Kind = "BertEmbedding";
    private readonly BertModel _model;
    private readonly object _forwardLock = new();
    private readonly EmbeddingMapper _mapper;

    internal BertEmbeddingTransformer(BertModel model, WordPieceEncoder encoder, BertTextSettings settings)
    {
        _model = model;
        _model.eval();
        Tokenizer = encoder;
        Settings = settings;
        _mapper = new EmbeddingMapper(this);
    }

    /// <summary>The encoder's configuration.</summary>
    public BertConfig Config => _model.Config;

    /// <summary>The WordPiece encoder the model was trained with.</summary>
    public WordPieceEncoder Tokenizer { get; }

    /// <summary>Columns, maximum length and pooling.</summary>
    public BertTextSettings Settings { get; }

    /// <summary>Number of weights in the encoder.</summary>
    public long ParameterCount => _model.parameters().Sum(p => p.numel());

    /// <summary>The encoder (read-only use: it is shared with this transformer).</summary>
    internal BertModel Model => _model;

    private protected override string ComponentKind => Kind;

    private protected override BatchRowMapper Mapper => _mapper;

    /// <summary>Copies this encoder's tensors into <paramref name="target"/>, which must have the same configuration.</summary>
    public void CopyEncoderTo(BertModel target)
    {
        ArgumentNullException.ThrowIfNull(target);
        target.CopyFrom(_model);
    }

    /// <summary>Embeds <paramref name="texts"/> directly (one vector per text).</summary>
    public float[][] Embed(IReadOnlyList<string?> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (texts.Count == 0)
        {
            return Array.Empty<float[]>();
        }

        lock (_forwardLock)
        {
            ThrowIfDisposed(); // under the lock that Dispose takes too, so the model cannot be freed mid-forward
            var device = _model.Embeddings.WordEmbeddings.Weight.device;
            var result = new float[texts.Count][];
            foreach (var group in BertTextEncoding.GroupByLength(Tokenizer, texts, Settings.MaximumLength))
            {
                using var scope = NewDisposeScope();
                using var noGrad = no_grad();
                var (ids, mask) = group.ToTensors(device);
                var pooled = BertTextEncoding.Pool(_model.Forward(ids, mask).LastHiddenState, mask, Settings.Pooling).narrow(0, 0, group.Indices.Length);
                var vectors = BertTextEncoding.ToRows(Settings.Normalize ? nn.functional.normalize(pooled, p: 2, dim: 1) : pooled);
                for (int i = 0; i < vectors.Length; i++)
                {
                    result[group.Indices[i]] = vectors[i];
                }
            }

            return result;
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

    private protected override void WritePayload(ModelPayloadWriter writer)
    {
        BertPayload.WriteConfig(writer, Config);
        writer.WriteJson("settings.json", Settings);
        BertPayload.WriteTokenizer(writer, Tokenizer);
        writer.WriteModule("encoder.safetensors", _model);
    }

    internal static void RegisterLoader() => TensorModelComponentRegistry.Register(Kind, Load);

    private static ITransformer Load(MLContext mlContext, ModelPayloadReader reader, int payloadVersion)
    {
        BertPayload.RequireVersion(reader, payloadVersion, 1);
        var config = BertPayload.ReadConfig(reader);
        var settings = reader.ReadJson<BertTextSettings>("settings.json");
        var encoder = BertPayload.ReadTokenizer(reader, config);
        // The tensors are read over the initial values: skip drawing them, and keep torch's global generator untouched.
        using var generator = new Generator(0);
        var model = new BertModel(config, generator, addPoolingLayer: false, initialize: false);
        try
        {
            reader.ReadModule("encoder.safetensors", model);
        }
        catch
        {
            model.Dispose();
            throw;
        }

        return new BertEmbeddingTransformer(model, encoder, settings);
    }

    private sealed class EmbeddingMapper : BatchRowMapper
    {
        private readonly BertEmbeddingTransformer _owner;

        public EmbeddingMapper(BertEmbeddingTransformer owner)
        {
            _owner = owner;
            OutputColumns = new[] { new MappedColumn(owner.Settings.OutputColumnName, new VectorDataViewType(NumberDataViewType.Single, owner.Config.HiddenSize)) };
            InputColumnNames = new[] { owner.Settings.InputColumnName };
        }

        public override IReadOnlyList<MappedColumn> OutputColumns { get; }

        public override IReadOnlyList<string> InputColumnNames { get; }

        public override void CheckInputSchema(DataViewSchema inputSchema) =>
            WordPieceRowMapper.CheckTextColumn(inputSchema, _owner.Settings.InputColumnName, nameof(BertTextSettings.InputColumnName));

        public override RowBatchComputer CreateComputer(DataViewRow input) => new TextBatchComputer(input, _owner.Settings.InputColumnName, texts => _owner.Embed(texts));
    }
}
