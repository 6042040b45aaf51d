using MLNetExtensions.Transforms.Text;

namespace MLNetExtensions.Estimators.Bert;

/// <summary>
/// Packs consecutive sentences into pre-training sequences of at most a maximum length:
/// <c>[CLS] sentence sentence … [SEP]</c>. A sentence that does not fit in the current sequence starts
/// the next one; a sentence longer than a whole sequence is cut into pieces. Empty sentences are skipped.
/// </summary>
public sealed class SentencePacker
{
    private readonly WordPieceEncoder _encoder;
    private readonly int _maximumLength;

    /// <summary>Packs with <paramref name="encoder"/> into sequences of at most <paramref name="maximumLength"/> tokens.</summary>
    public SentencePacker(WordPieceEncoder encoder, int maximumLength)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        if (maximumLength < 3)
        {
            throw new ArgumentOutOfRangeException(nameof(maximumLength), maximumLength, "The maximum sequence length must be at least 3 ([CLS], a token, [SEP]).");
        }

        _encoder = encoder;
        _maximumLength = maximumLength;
    }

    /// <summary>The packed sequences (without padding), in corpus order.</summary>
    public IEnumerable<int[]> Pack(IEnumerable<string?> sentences)
    {
        int capacity = _maximumLength - 2;
        var current = new List<int>(capacity);
        foreach (string? sentence in sentences)
        {
            var ids = _encoder.EncodeWithoutSpecialTokens(sentence);
            if (ids.Count == 0)
            {
                continue;
            }

            if (current.Count > 0 && current.Count + ids.Count > capacity)
            {
                yield return Close(current);
                current.Clear();
            }

            int offset = 0;
            while (ids.Count - offset > capacity)
            {
                yield return Close(ids.Skip(offset).Take(capacity).ToList());
                offset += capacity;
            }

            current.AddRange(ids.Skip(offset));
        }

        if (current.Count > 0)
        {
            yield return Close(current);
        }
    }

    private int[] Close(List<int> body)
    {
        var sequence = new int[body.Count + 2];
        sequence[0] = _encoder.ClassificationTokenId;
        body.CopyTo(sequence, 1);
        sequence[^1] = _encoder.SeparatorTokenId;
        return sequence;
    }
}
