using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExtensions.Transforms.DataView;
using MLNetExtensions.Transforms.Text;
using MLNetExtensions.Transforms.Torch;

namespace MLNetExtensions.Transforms.Bert.Checkpoints;

/// <summary>
/// Sentence embeddings from a pre-trained BERT checkpoint (Hugging Face directory or ONNX export): text in, one vector
/// per row out, so that any ML.NET trainer can sit on top. Nothing is trained: <c>Fit</c> imports the checkpoint and
/// returns a <see cref="BertEmbeddingTransformer"/>, which saves to one model file with its tensors
/// (<c>SaveWithTensors</c>) and tokenizes with the checkpoint's own vocabulary and settings. Create it with
/// <see cref="BertCheckpointCatalogExtensions"/>.
/// </summary>
public sealed class BertCheckpointEmbeddingEstimator : IEstimator<BertEmbeddingTransformer>
{
    private readonly BertCheckpointEmbeddingOptions _options;
    private int? _hiddenSize;

    internal BertCheckpointEmbeddingEstimator(BertCheckpointEmbeddingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _hiddenSize = options.Checkpoint?.Config.HiddenSize;
    }

    /// <summary>Imports the checkpoint and returns the embedding transformer (the input is only checked for its text column).</summary>
    /// <param name="input">Data with the text column.</param>
    /// <returns>The transformer.</returns>
    public BertEmbeddingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        WordPieceRowMapper.CheckTextColumn(input.Schema, _options.InputColumnName, nameof(BertCheckpointEmbeddingOptions.InputColumnName));
        TorchThreads.Configure(_options.NumberOfThreads);
        var owned = _options.Checkpoint is null ? BertCheckpoint.Load(_options.CheckpointPath!) : null;
        try
        {
            var checkpoint = _options.Checkpoint ?? owned!;
            var config = checkpoint.Config;
            _hiddenSize = config.HiddenSize;
            int length = _options.MaximumLength ?? Math.Min(128, config.MaxPositionEmbeddings);
            if (length > config.MaxPositionEmbeddings)
            {
                throw new ArgumentOutOfRangeException(nameof(BertCheckpointEmbeddingOptions.MaximumLength), length,
                    $"BertCheckpointEmbeddingOptions.MaximumLength ({length}) exceeds the checkpoint's max_position_embeddings ({config.MaxPositionEmbeddings}).");
            }

            // The transformer keeps the encoder without the pooler: sentence embeddings pool the hidden states themselves.
            var model = new BertModel(config, generator: null, addPoolingLayer: false, initialize: false);
            try
            {
                model.CopyFrom(checkpoint.Model);
            }
            catch
            {
                model.Dispose();
                throw;
            }

            var settings = new BertTextSettings(_options.InputColumnName, _options.OutputColumnName, length, _options.Pooling, _options.Normalize);
            var record = JsonSerializer.Serialize(new { checkpoint = checkpoint.Source, unused_tensors = checkpoint.UnusedTensors, missing_tensors = checkpoint.MissingTensors });
            var transformer = new BertEmbeddingTransformer(model, checkpoint.Tokenizer, settings);
            transformer.AttachTrainingRecord(record);
            return transformer;
        }
        finally
        {
            owned?.Dispose();
        }
    }

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        WordPieceTokenizingEstimator.CheckText(inputSchema, _options.InputColumnName, nameof(BertCheckpointEmbeddingOptions.InputColumnName));
        if (_hiddenSize is null)
        {
            using var checkpoint = BertCheckpoint.Load(_options.CheckpointPath!);
            _hiddenSize = checkpoint.Config.HiddenSize;
        }

        var column = new MappedColumn(_options.OutputColumnName, new VectorDataViewType(NumberDataViewType.Single, _hiddenSize.Value));
        return SchemaShapeColumns.Append(inputSchema, new[] { column });
    }
}
