using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetExtensions.Transforms.DataView;

/// <summary>
/// The one-row-at-a-time face of a <see cref="BatchRowMapper"/>, used by ML.NET's
/// <c>PredictionEngine</c>: each row is computed as a batch of one, when first asked for.
/// </summary>
internal sealed class BatchRowToRowMapper : IRowToRowMapper
{
    private readonly BatchRowMapper _mapper;
    private readonly Action? _ensureUsable;

    /// <param name="inputSchema">The schema of the rows to map.</param>
    /// <param name="mapper">The computation.</param>
    /// <param name="ensureUsable">Called before each row is computed (throws once the model behind the mapper is disposed).</param>
    public BatchRowToRowMapper(DataViewSchema inputSchema, BatchRowMapper mapper, Action? ensureUsable = null)
    {
        mapper.CheckInputSchema(inputSchema);
        _mapper = mapper;
        _ensureUsable = ensureUsable;
        InputSchema = inputSchema;
        OutputSchema = BatchMappedDataView.BuildSchema(inputSchema, mapper);
    }

    public DataViewSchema InputSchema { get; }

    public DataViewSchema OutputSchema { get; }

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
    {
        int inputCount = InputSchema.Count;
        var columns = dependingColumns.ToList();
        var result = columns.Where(c => c.Index < inputCount).Select(c => InputSchema[c.Index]).ToList();
        if (columns.Any(c => c.Index >= inputCount))
        {
            result.AddRange(_mapper.InputColumnNames.Select(name => InputSchema[name]));
        }

        return result.DistinctBy(c => c.Index).ToList();
    }

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns) =>
        new MappedRow(this, input, activeColumns.Select(c => c.Index).ToHashSet());

    private sealed class MappedRow : DataViewRow
    {
        private readonly BatchRowToRowMapper _parent;
        private readonly DataViewRow _input;
        private readonly HashSet<int> _active;
        private readonly RowBatchComputer _computer;
        private readonly Delegate[] _outputGetters;
        private long _computedPosition = -1;

        public MappedRow(BatchRowToRowMapper parent, DataViewRow input, HashSet<int> active)
        {
            _parent = parent;
            _input = input;
            _active = active;
            _computer = parent._mapper.CreateComputer(input);
            var outputs = parent._mapper.OutputColumns;
            _outputGetters = new Delegate[outputs.Count];
            for (int i = 0; i < outputs.Count; i++)
            {
                int column = i;
                _outputGetters[i] = MappedValueGetters.Create(outputs[i], () => ValueOfCurrentRow(column));
            }
        }

        public override DataViewSchema Schema => _parent.OutputSchema;

        public override long Position => _input.Position;

        public override long Batch => _input.Batch;

        private object ValueOfCurrentRow(int column)
        {
            // PredictionEngine reuses one row object and moves its position for each example.
            if (_computedPosition != _input.Position || _computer.Count == 0)
            {
                _parent._ensureUsable?.Invoke();
                _computer.Clear();
                _computer.AddCurrentRow();
                _computer.Compute();
                _computedPosition = _input.Position;
            }

            return _computer.GetValue(0, column);
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => _active.Contains(column.Index);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            int inputCount = _parent.InputSchema.Count;
            if (column.Index < inputCount)
            {
                return _input.GetGetter<TValue>(_parent.InputSchema[column.Index]);
            }

            return _outputGetters[column.Index - inputCount] as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Column '{column.Name}' holds {column.Type}, not {typeof(TValue).Name}.");
        }
    }
}
