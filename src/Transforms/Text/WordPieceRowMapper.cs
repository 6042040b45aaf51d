using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExtensions.Transforms.DataView;

namespace MLNetExtensions.Transforms.Text;

/// <summary>Text column(s) → token ids, attention mask and segment ids.</summary>
internal sealed class WordPieceRowMapper : BatchRowMapper
{
    private readonly WordPieceEncoder _encoder;
    private readonly WordPieceTokenizingOptions _options;

    public WordPieceRowMapper(WordPieceEncoder encoder, WordPieceTokenizingOptions options)
    {
        _encoder = encoder;
        _options = options;
        var vector = new VectorDataViewType(NumberDataViewType.Int32, options.MaximumLength);
        OutputColumns = new[]
        {
            new MappedColumn(options.TokenIdsColumnName, vector),
            new MappedColumn(options.AttentionMaskColumnName, vector),
            new MappedColumn(options.SegmentIdsColumnName, vector),
        };
        InputColumnNames = options.SecondInputColumnName is null
            ? new[] { options.InputColumnName }
            : new[] { options.InputColumnName, options.SecondInputColumnName };
    }

    public override IReadOnlyList<MappedColumn> OutputColumns { get; }

    public override IReadOnlyList<string> InputColumnNames { get; }

    public override void CheckInputSchema(DataViewSchema inputSchema)
    {
        CheckTextColumn(inputSchema, _options.InputColumnName, nameof(WordPieceTokenizingOptions.InputColumnName));
        if (_options.SecondInputColumnName is not null)
        {
            CheckTextColumn(inputSchema, _options.SecondInputColumnName, nameof(WordPieceTokenizingOptions.SecondInputColumnName));
        }
    }

    internal static void CheckTextColumn(DataViewSchema schema, string name, string option)
    {
        var column = schema.GetColumnOrNull(name)
            ?? throw new ArgumentOutOfRangeException(option, $"Input column '{name}' ({option}) was not found; expected a text column. The schema has: {string.Join(", ", schema.Select(c => c.Name))}.");
        if (column.Type is not TextDataViewType)
        {
            throw new ArgumentOutOfRangeException(option, $"Input column '{name}' ({option}) must be text (String), but it is {column.Type}.");
        }
    }

    public override RowBatchComputer CreateComputer(DataViewRow input) => new Computer(this, input);

    private sealed class Computer : RowBatchComputer
    {
        private readonly WordPieceRowMapper _mapper;
        private readonly TextPairGetter _texts;
        private readonly List<(string First, string? Second)> _pending = new();

        public Computer(WordPieceRowMapper mapper, DataViewRow input)
        {
            _mapper = mapper;
            _texts = new TextPairGetter(input, mapper._options.InputColumnName, mapper._options.SecondInputColumnName);
        }

        protected override void ReadCurrentRow() => _pending.Add(_texts.Read());

        protected override IReadOnlyList<object[]> ComputeBatch(int count)
        {
            int length = _mapper._options.MaximumLength;
            var rows = new object[count][];
            for (int i = 0; i < count; i++)
            {
                var ids = new int[length];
                var mask = new int[length];
                var segments = new int[length];
                _mapper._encoder.EncodeRow(_pending[i].First, _pending[i].Second, length, ids, mask, segments);
                rows[i] = new object[] { ids, mask, segments };
            }

            return rows;
        }

        protected override void ClearInputs() => _pending.Clear();
    }
}
