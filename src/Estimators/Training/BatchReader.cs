using Microsoft.ML;

namespace MLNetExtensions.Estimators.Training;

/// <summary>
/// Reads training batches epoch by epoch from an <see cref="IDataView"/>, tracking the data position
/// (epoch, batches consumed in it). Each epoch's row order is a function of (seed, epoch): a shuffling cursor with
/// <c>new Random(epochSeed)</c> when the view can shuffle itself, otherwise ML.NET's streaming pool shuffle
/// (<c>ShuffleRows</c>) seeded with the epoch seed, which never materialises the data.
/// </summary>
/// <remarks>
/// Data-parallel (<c>shardCount</c> &gt; 1), every rank reads the same row order and a job-wide batch of
/// <c>BatchSize × shardCount</c> rows from it, keeping rows <c>shardIndex, shardIndex + shardCount, …</c>: the shards are
/// disjoint, every rank has rows in every batch, and the job's batch is the batch one process with batch size
/// <c>BatchSize × shardCount</c> would read. A final job-wide batch with fewer rows than ranks is dropped.
/// </remarks>
internal sealed class BatchReader<TBatch> : IDisposable
{
    private readonly MLContext _mlContext;
    private readonly IDataView _data;
    private readonly string[] _columnNames;
    private readonly ITrainingObjective<TBatch> _objective;
    private readonly int _batchSize;
    private readonly bool _dropLastPartialBatch;
    private readonly bool _shuffle;
    private readonly int _shufflePoolSize;
    private readonly int _seed;
    private readonly int _shardIndex;
    private readonly int _shardCount;

    private DataViewRowCursor? _cursor;
    private IBatchBuilder<TBatch>? _builder;
    private bool _exhausted;

    public BatchReader(
        MLContext mlContext, IDataView data, IEnumerable<string> columnNames, ITrainingObjective<TBatch> objective, TrainingOptions options, int seed,
        int shardIndex = 0, int shardCount = 1)
    {
        _mlContext = mlContext;
        _data = data;
        _columnNames = columnNames.ToArray();
        _objective = objective;
        _batchSize = options.BatchSize;
        _dropLastPartialBatch = options.DropLastPartialBatch;
        _shuffle = options.Shuffle;
        _shufflePoolSize = options.ShufflePoolSize;
        _seed = seed;
        _shardIndex = shardIndex;
        _shardCount = shardCount;
    }

    /// <summary>Training steps in an epoch of <paramref name="rows"/> rows (the same on every rank).</summary>
    public static long StepsPerEpoch(long rows, int batchSize, bool dropLastPartialBatch, int shardCount)
    {
        long jobBatch = (long)batchSize * shardCount;
        long full = rows / jobBatch;
        long remainder = rows % jobBatch;
        return full + (remainder >= shardCount && !dropLastPartialBatch ? 1 : 0);
    }

    /// <summary>The 0-based epoch being read.</summary>
    public long Epoch { get; private set; }

    /// <summary>Batches built so far in <see cref="Epoch"/>.</summary>
    public long BatchesInEpoch { get; private set; }

    /// <summary>
    /// Whether the epoch's data ran out while the last batch was read (that batch was short): once it is trained, the
    /// epoch is over, and a checkpoint must already point at the next one.
    /// </summary>
    public bool EpochDataExhausted => _exhausted;

    /// <summary>Moves to a data position; the next batch is batch <paramref name="batchesInEpoch"/> of <paramref name="epoch"/>.</summary>
    public void Seek(long epoch, long batchesInEpoch)
    {
        Close();
        Epoch = epoch;
        BatchesInEpoch = batchesInEpoch;
    }

    /// <summary>Appends the rows of the next batch to the builder.</summary>
    /// <param name="rows">The number of rows of the batch.</param>
    /// <returns>False at the end of the epoch (no rows, or a partial batch that is dropped).</returns>
    public bool TryFill(out int rows)
    {
        EnsureOpen();
        var builder = _builder!;
        int jobBatch = _batchSize * _shardCount;
        int jobRows = 0;
        if (!_exhausted)
        {
            while (jobRows < jobBatch && _cursor!.MoveNext())
            {
                if (jobRows % _shardCount == _shardIndex)
                {
                    builder.Append();
                }

                jobRows++;
            }

            if (jobRows < jobBatch)
            {
                _exhausted = true;
            }
        }

        rows = builder.Count;
        if (jobRows < _shardCount || (jobRows < jobBatch && _dropLastPartialBatch))
        {
            rows = 0;
            return false;
        }

        return true;
    }

    /// <summary>Builds the batch filled by <see cref="TryFill"/> and advances the position.</summary>
    public TBatch Build()
    {
        var batch = _builder!.Build();
        BatchesInEpoch++;
        return batch;
    }

    /// <summary>Ends the current epoch; the next batch is the first of the next epoch.</summary>
    public void NextEpoch() => Seek(Epoch + 1, 0);

    public void Dispose() => Close();

    private void EnsureOpen()
    {
        if (_cursor is not null)
        {
            return;
        }

        _exhausted = false;
        _cursor = OpenCursor(Epoch);
        try
        {
            _builder = _objective.CreateBatchBuilder(_cursor);
            long skip = checked(BatchesInEpoch * _batchSize * _shardCount);
            for (long i = 0; i < skip; i++)
            {
                if (!_cursor.MoveNext())
                {
                    throw new InvalidOperationException(
                        $"The training data has only {i} rows in epoch {Epoch}, but the position to resume from is batch {BatchesInEpoch} " +
                        $"of batch size {_batchSize}: the data changed since the checkpoint was written.");
                }
            }
        }
        catch
        {
            Close();
            throw;
        }
    }

    private DataViewRowCursor OpenCursor(long epoch)
    {
        if (!_shuffle)
        {
            return _data.GetRowCursor(Columns(_data));
        }

        int epochSeed = SeedDerivation.ForEpoch(_seed, epoch);
        if (_data.CanShuffle)
        {
            return _data.GetRowCursor(Columns(_data), new Random(epochSeed));
        }

        var shuffled = _mlContext.Data.ShuffleRows(_data, epochSeed, _shufflePoolSize, shuffleSource: false);
        return shuffled.GetRowCursor(Columns(shuffled));
    }

    private IEnumerable<DataViewSchema.Column> Columns(IDataView view) => _columnNames.Select(name => view.Schema[name]).ToArray();

    private void Close()
    {
        (_builder as IDisposable)?.Dispose();
        _builder = null;
        _cursor?.Dispose();
        _cursor = null;
        _exhausted = false;
    }
}
