using MLNetExtensions.Transforms.DataView;

namespace MLNetExtensions.Estimators.Training;

/// <summary>The columns a run reads and how many steps it takes (from the row count, epochs, step limit and ranks).</summary>
internal sealed partial class TrainingRun<TBatch>
{
    private void ResolveColumns()
    {
        var requirements = _objective.RequiredColumns ?? throw new InvalidOperationException("ITrainingObjective.RequiredColumns returned null.");
        _trainColumns = requirements.Select(r => r.Resolve(_trainData.Schema, "training data", "trainData").Name).Distinct(StringComparer.Ordinal).ToArray();
        if (_validationData is not null)
        {
            _validationColumns = requirements.Select(r => r.Resolve(_validationData.Schema, "validation data", "validationData").Name).Distinct(StringComparer.Ordinal).ToArray();
        }
    }

    private void ComputeLength()
    {
        if (_options.Epochs is null && _options.MaxSteps is long maxOnly)
        {
            long? known = _trainData.GetRowCount();
            if (known == 0)
            {
                throw EmptyData(0);
            }

            _stepsPerEpoch = null;
            _totalSteps = maxOnly;
            return;
        }

        long rows = DataViewRowCount.Count(_trainData);
        if (rows == 0)
        {
            throw EmptyData(0);
        }

        long perEpoch = BatchReader<TBatch>.StepsPerEpoch(rows, _options.BatchSize, _options.DropLastPartialBatch, _dataParallel?.Size ?? 1);
        if (perEpoch == 0)
        {
            throw EmptyData(rows);
        }

        _stepsPerEpoch = perEpoch;
        long total = checked((_options.Epochs ?? 1) * perEpoch);
        _totalSteps = _options.MaxSteps is long max ? Math.Min(total, max) : total;
        if (_options.WarmupSteps > _totalSteps)
        {
            throw new ArgumentOutOfRangeException(
                nameof(TrainingOptions.WarmupSteps),
                _options.WarmupSteps,
                $"TrainingOptions.WarmupSteps ({_options.WarmupSteps}) exceeds the total number of steps ({_totalSteps}: {rows} rows, batch size {_options.BatchSize}, " +
                $"{_options.Epochs ?? 1} epoch(s){(_options.MaxSteps is long m ? $", at most {m} steps" : string.Empty)}).");
        }
    }

    private InvalidOperationException EmptyData(long rows) => rows > 0
        ? rows < (_dataParallel?.Size ?? 1)
            ? new InvalidOperationException(
                $"The training data has {rows} rows, fewer than the {_dataParallel!.Size} data-parallel ranks: every rank needs at least one row of every batch.")
            : new InvalidOperationException(
            $"The training data has {rows} rows, fewer than TrainingOptions.BatchSize ({_options.BatchSize}), and TrainingOptions.DropLastPartialBatch is set: no batch can be formed.")
        : new InvalidOperationException("The training data is empty: it has no rows to train on.");
}
