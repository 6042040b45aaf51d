using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExtensions.Transforms.DataView;
using MLNetExtensions.Transforms.ModelFiles;

namespace MLNetExtensions.Transforms.Ids;

// Transform (item column → ItemEmbedding) and the model-file payload.
public sealed partial class IdEmbeddingTransformer
{
    private const string ConfigEntry = "settings.json";
    private const string ItemsEntry = "items.json";
    private const string AttributesEntry = "attributes.json";
    private const string TablesEntry = "tables.safetensors";
    private const string SummaryEntry = TrainingRecordEntry;

    /// <summary>
    /// Vectors for a batch of rows: known items with a vector from the model, others from the input's attribute IDs when
    /// one of them was trained, else the unseen rule.
    /// </summary>
    internal float[][] Embed(IReadOnlyList<string?> items, IReadOnlyList<string?[]?> inputAttributes)
    {
        var result = new float[items.Count][];
        var pending = new List<(int Row, string?[] Ids)>();
        for (int r = 0; r < items.Count; r++)
        {
            int index = _space.Items.IndexOf(items[r]);
            if (index >= 0 && _space.HasVector(index))
            {
                result[r] = _space.VectorOf(index);
            }
            else if (inputAttributes[r] is { } ids && _space.HasUsableAttributes(ids))
            {
                pending.Add((r, ids));
            }
            else if (Settings.UnseenItems == UnseenItemHandling.Error)
            {
                throw new InvalidOperationException(items[r] is null
                    ? $"A row of column '{Settings.ItemColumnName}' has no item ID (empty text or key 0), so it has no vector; set UnseenItems = Zero to give such rows a zero vector."
                    : $"Item '{items[r]}' of column '{Settings.ItemColumnName}' was not trained and has no attribute ID that a trained item carries; " +
                    "set UnseenItems = Zero to give such items a zero vector, or pass its attribute columns.");
            }
            else
            {
                result[r] = new float[Dimension];
            }
        }

        var fromAttributes = _space.FromAttributeIds(pending.Select(p => p.Ids).ToArray());
        for (int i = 0; i < pending.Count; i++)
        {
            result[pending[i].Row] = fromAttributes[i];
        }

        return result;
    }

    private protected override BatchRowMapper MapperFor(DataViewSchema inputSchema) =>
        new ItemMapper(this, _space.Attributes.Select(a => a.Name).Where(name => inputSchema.GetColumnOrNull(name) is not null).ToArray());

    /// <summary>
    /// Version 2 added the context tables and the sampler's log prior to <c>tables.safetensors</c>; a model loaded from a
    /// version 1 file has neither and is saved as version 1 again.
    /// </summary>
    private protected override int PayloadVersion => _space.HasContext ? 2 : 1;

    private protected override void WritePayload(ModelPayloadWriter writer)
    {
        writer.WriteJson(ConfigEntry, Settings);
        writer.WriteJson(ItemsEntry, _space.Items.Ids);
        writer.WriteJson(AttributesEntry, _space.Attributes);
        writer.WriteModule(TablesEntry, _space.Tables); // the training summary goes in as the training record
    }

    internal static void RegisterLoader() => TensorModelComponentRegistry.Register(Kind, Load);

    private static ITransformer Load(MLContext mlContext, ModelPayloadReader reader, int payloadVersion)
    {
        if (payloadVersion is not (1 or 2))
        {
            throw new InvalidDataException($"{reader.Description} has payload version {payloadVersion}; this version of MLNetExtensions reads versions 1 and 2.");
        }

        var settings = reader.ReadJson<IdEmbeddingSettings>(ConfigEntry);
        var items = new IdVocabulary(reader.ReadJson<string[]>(ItemsEntry));
        var attributes = reader.ReadJson<IdAttributeType[]>(AttributesEntry);
        CheckVocabularies(reader.Description, settings, items, attributes);
        IdEmbeddingTrainingSummary? summary = null;
        try
        {
            summary = reader.ReadJson<IdEmbeddingTrainingSummary>(SummaryEntry);
        }
        catch (InvalidDataException)
        {
            // Optional entry.
        }

        var tables = new IdEmbeddingTables(settings.TrainedItemCount, settings.ItemDimension, attributes.Select(a => (a.Values.Length + 1, a.Dimension)).ToArray(), withContext: payloadVersion >= 2);
        try
        {
            reader.ReadModule(TablesEntry, tables);
            return new IdEmbeddingTransformer(new IdVectorSpace(tables, items, attributes, settings.TrainedItemCount, settings.ItemVector), settings, summary);
        }
        catch
        {
            tables.Dispose();
            throw;
        }
    }

    /// <summary>The item and attribute lists must agree with each other and with the settings before any table is built from them.</summary>
    private static void CheckVocabularies(string description, IdEmbeddingSettings settings, IdVocabulary items, IReadOnlyList<IdAttributeType> attributes)
    {
        if (settings.TrainedItemCount < 0 || settings.TrainedItemCount > items.Count)
        {
            throw new InvalidDataException($"{description}: {ConfigEntry} declares {settings.TrainedItemCount} trained items, but {ItemsEntry} lists {items.Count} items.");
        }

        foreach (var type in attributes)
        {
            if (type.ItemValues.Length != items.Count || type.Counts.Length != type.Values.Length || type.ItemValues.Any(v => v < -1 || v >= type.Values.Length))
            {
                throw new InvalidDataException(
                    $"{description}: attribute type '{type.Name}' in {AttributesEntry} does not fit: {type.ItemValues.Length} item IDs for {items.Count} items, {type.Counts.Length} counts for {type.Values.Length} IDs, or an ID index out of range.");
            }
        }
    }

    /// <summary>Reads the item column and whichever attribute columns the input carries.</summary>
    private sealed class ItemMapper : BatchRowMapper
    {
        private readonly IdEmbeddingTransformer _owner;
        private readonly string[] _attributeColumns;

        public ItemMapper(IdEmbeddingTransformer owner, string[]? attributeColumns = null)
        {
            _owner = owner;
            _attributeColumns = attributeColumns ?? Array.Empty<string>();
            OutputColumns = new[] { new MappedColumn(owner.Settings.OutputColumnName, new VectorDataViewType(NumberDataViewType.Single, owner.Dimension)) };
            InputColumnNames = new[] { owner.Settings.ItemColumnName }.Concat(_attributeColumns).ToArray();
        }

        public override IReadOnlyList<MappedColumn> OutputColumns { get; }

        public override IReadOnlyList<string> InputColumnNames { get; }

        public override void CheckInputSchema(DataViewSchema inputSchema)
        {
            IdColumn.Check(inputSchema, _owner.Settings.ItemColumnName, nameof(IdEmbeddingSettings.ItemColumnName), "the input");
            foreach (string name in _attributeColumns)
            {
                // The fitted model's attribute columns came from IdEmbeddingOptions.AttributeColumns; the message names the column.
                IdColumn.Check(inputSchema, name, "AttributeColumns", "the input");
            }
        }

        public override RowBatchComputer CreateComputer(DataViewRow input) => new IdBatchComputer(
            input,
            _owner.Settings.ItemColumnName,
            _owner._space.Attributes.Select(a => _attributeColumns.Contains(a.Name) ? a.Name : null).ToArray(),
            (items, attributeIds) => _owner.Embed(items, attributeIds).Select(vector => new object[] { vector }).ToArray());
    }
}
