using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetExtensions.Transforms.DataView;

/// <summary>
/// An <see cref="IDataView"/> that adds the columns of a <see cref="BatchRowMapper"/> to its input,
/// computing them a batch of rows at a time. Rows pass through in input order; a second cursor
/// over the input reads ahead one batch of the mapper's input columns, so the model runs once per
/// batch while the pass-through columns are served from the ordinary cursor.
/// </summary>
internal sealed class BatchMappedDataView : IDataView
{
    private readonly IDataView _input;
    private readonly BatchRowMapper _mapper;
    private readonly int _batchSize;
    private readonly Action? _ensureUsable;

    /// <param name="input">The rows to map.</param>
    /// <param name="mapper">The computation.</param>
    /// <param name="batchSize">Rows per model call.</param>
    /// <param name="ensureUsable">Called before each batch is computed (throws once the model behind the mapper is disposed).</param>
    public BatchMappedDataView(IDataView input, BatchRowMapper mapper, int batchSize, Action? ensureUsable = null)
    {
        if (batchSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "The inference batch size must be positive.");
        }

        mapper.CheckInputSchema(input.Schema);
        _input = input;
        _mapper = mapper;
        _batchSize = batchSize;
        _ensureUsable = ensureUsable;
        Schema = BuildSchema(input.Schema, mapper);
    }

    public bool CanShuffle => false;

    public DataViewSchema Schema { get; }

    /// <summary>The input schema plus the mapper's columns (an output named like an input column hides it).</summary>
    public static DataViewSchema BuildSchema(DataViewSchema input, BatchRowMapper mapper)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(input);
        foreach (var column in mapper.OutputColumns)
        {
            builder.AddColumn(column.Name, column.Type, column.Annotations);
        }

        return builder.ToSchema();
    }

    public long? GetRowCount() => _input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new Cursor(this, columnsNeeded);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        new[] { GetRowCursor(columnsNeeded, rand) };

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly BatchMappedDataView _parent;
        private readonly DataViewRowCursor _main;
        private readonly DataViewRowCursor? _lookahead;
        private readonly RowBatchComputer? _computer;
        private readonly bool[] _activeOutputs;
        private readonly Delegate?[] _outputGetters;
        private int _indexInBatch = -1;

        public Cursor(BatchMappedDataView parent, IEnumerable<DataViewSchema.Column> columnsNeeded)
        {
            _parent = parent;
            int inputCount = parent._input.Schema.Count;
            var needed = columnsNeeded.Select(c => c.Index).ToHashSet();
            _main = parent._input.GetRowCursor(parent._input.Schema.Where(c => needed.Contains(c.Index)));

            var outputs = parent._mapper.OutputColumns;
            _activeOutputs = new bool[outputs.Count];
            _outputGetters = new Delegate?[outputs.Count];
            for (int i = 0; i < outputs.Count; i++)
            {
                _activeOutputs[i] = needed.Contains(inputCount + i);
            }

            if (_activeOutputs.Any(active => active))
            {
                var inputsRead = parent._mapper.InputColumnNames.Select(name => parent._input.Schema[name]);
                _lookahead = parent._input.GetRowCursor(inputsRead);
                _computer = parent._mapper.CreateComputer(_lookahead);
                for (int i = 0; i < outputs.Count; i++)
                {
                    int column = i;
                    _outputGetters[i] = MappedValueGetters.Create(outputs[i], () => _computer.GetValue(_indexInBatch, column));
                }
            }
        }

        public override DataViewSchema Schema => _parent.Schema;

        public override long Position => _main.Position;

        public override long Batch => _main.Batch;

        public override bool MoveNext()
        {
            if (!_main.MoveNext())
            {
                return false;
            }

            if (_computer is not null)
            {
                _indexInBatch++;
                if (_indexInBatch >= _computer.Count)
                {
                    FillBatch();
                    _indexInBatch = 0;
                }
            }

            return true;
        }

        private void FillBatch()
        {
            _computer!.Clear();
            while (_computer.Count < _parent._batchSize && _lookahead!.MoveNext())
            {
                _computer.AddCurrentRow();
            }

            if (_computer.Count == 0)
            {
                throw new InvalidOperationException("The input data view gave fewer rows to a second cursor than to the first: its cursors must return the same rows in the same order.");
            }

            _parent._ensureUsable?.Invoke();
            _computer.Compute();
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => _main.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column)
        {
            int inputCount = _parent._input.Schema.Count;
            return column.Index < inputCount
                ? _main.IsColumnActive(_parent._input.Schema[column.Index])
                : _activeOutputs[column.Index - inputCount];
        }

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            int inputCount = _parent._input.Schema.Count;
            if (column.Index < inputCount)
            {
                return _main.GetGetter<TValue>(_parent._input.Schema[column.Index]);
            }

            int output = column.Index - inputCount;
            if (!_activeOutputs[output])
            {
                throw new InvalidOperationException($"Column '{column.Name}' was not requested when this cursor was created.");
            }

            return _outputGetters[output] as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Column '{column.Name}' holds {column.Type}, not {typeof(TValue).Name}.");
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _main.Dispose();
                _lookahead?.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
