using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExtensions.Transforms.Text;

namespace MLNetExtensions.Estimators.Bert;

/// <summary>
/// The packed pre-training sequences of a text column: sentences tokenized and packed up to the maximum
/// length, split into training and validation sequences by a seeded shuffle, as data views with a
/// variable-length <c>TokenIds</c> column.
/// </summary>
internal sealed class PretrainingCorpus
{
    public const string TokenIdsColumn = "TokenIds";

    private PretrainingCorpus(IDataView train, IDataView? validation, int trainCount, int validationCount)
    {
        Train = train;
        Validation = validation;
        TrainCount = trainCount;
        ValidationCount = validationCount;
    }

    public IDataView Train { get; }

    public IDataView? Validation { get; }

    public int TrainCount { get; }

    public int ValidationCount { get; }

    /// <summary>Reads, packs and splits <paramref name="textColumn"/> of <paramref name="data"/>.</summary>
    public static PretrainingCorpus Build(MLContext mlContext, IDataView data, string textColumn, WordPieceEncoder encoder, int maximumLength, double validationFraction, int seed, int batchSize)
    {
        var column = data.Schema.GetColumnOrNull(textColumn)
            ?? throw new ArgumentOutOfRangeException(nameof(BertPretrainingOptions.TextColumnName), $"Text column '{textColumn}' (TextColumnName) was not found; expected a text column. The schema has: {string.Join(", ", data.Schema.Select(c => c.Name))}.");
        if (column.Type is not TextDataViewType)
        {
            throw new ArgumentOutOfRangeException(nameof(BertPretrainingOptions.TextColumnName), $"Column '{textColumn}' (TextColumnName) must be text (String), but it is {column.Type}.");
        }

        var sequences = new SentencePacker(encoder, maximumLength).Pack(ReadTexts(data, column)).ToList();
        int validationCount = validationFraction > 0 ? Math.Max(1, (int)Math.Round(sequences.Count * validationFraction)) : 0;
        if (sequences.Count - validationCount < batchSize)
        {
            throw new ArgumentException(
                $"Column '{textColumn}' gives {sequences.Count} packed sequences of up to {maximumLength} tokens ({validationCount} held out for validation): fewer than one batch of BatchSize {batchSize}. Give more text or a smaller BatchSize.",
                nameof(data));
        }

        var order = Enumerable.Range(0, sequences.Count).ToArray();
        new Random(seed).Shuffle(order);
        var validation = order.Take(validationCount).Order().Select(i => new SequenceRow { TokenIds = sequences[i] }).ToList();
        var train = order.Skip(validationCount).Order().Select(i => new SequenceRow { TokenIds = sequences[i] }).ToList();
        return new PretrainingCorpus(
            mlContext.Data.Cache(mlContext.Data.LoadFromEnumerable(train)),
            validationCount == 0 ? null : mlContext.Data.Cache(mlContext.Data.LoadFromEnumerable(validation)),
            train.Count,
            validationCount);
    }

    private static IEnumerable<string> ReadTexts(IDataView data, DataViewSchema.Column column)
    {
        using var cursor = data.GetRowCursor(new[] { column });
        var getter = cursor.GetGetter<ReadOnlyMemory<char>>(column);
        ReadOnlyMemory<char> value = default;
        while (cursor.MoveNext())
        {
            getter(ref value);
            if (!value.Span.IsWhiteSpace())
            {
                yield return value.ToString();
            }
        }
    }

    private sealed class SequenceRow
    {
        public int[] TokenIds { get; set; } = Array.Empty<int>();
    }
}
