using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MLNetExtensions.Transforms.Text;

namespace MLNetExtensions.Samples.Bench;

/// <summary>
/// ONNX Runtime running a BERT ONNX export, fed as it usually is: rows tokenized with the checkpoint's tokenizer and
/// padded to each batch's longest. The reference engine of <c>bench pretrained</c>.
/// </summary>
internal sealed class OnnxRuntimeEngine : IDisposable
{
    private readonly InferenceSession _session;
    private readonly WordPieceEncoder _tokenizer;
    private readonly int _maximumLength;

    public OnnxRuntimeEngine(string onnxPath, WordPieceEncoder tokenizer, int maximumLength, int threads)
    {
        using var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1 };
        _session = new InferenceSession(onnxPath, options);
        _tokenizer = tokenizer;
        _maximumLength = maximumLength;
    }

    /// <summary>Token ids and mask [rows, length] padded to the batch's longest row.</summary>
    public (long[] Ids, long[] Mask, int Length) Encode(IReadOnlyList<string> batch)
    {
        var rows = batch.Select(text =>
        {
            var ids = new int[_maximumLength];
            var mask = new int[_maximumLength];
            _tokenizer.EncodeRow(text, null, _maximumLength, ids, mask, new int[_maximumLength]);
            return (ids, mask);
        }).ToList();
        int length = rows.Max(r => r.mask.Count(v => v != 0));
        return (rows.SelectMany(r => r.ids.Take(length).Select(v => (long)v)).ToArray(), rows.SelectMany(r => r.mask.Take(length).Select(v => (long)v)).ToArray(), length);
    }

    /// <summary><c>last_hidden_state</c> [rows, length, hidden], flattened.</summary>
    public float[] LastHiddenState(long[] ids, long[] mask, int rows, int length)
    {
        var shape = new[] { rows, length };
        var inputs = new[]
        {
            NamedOnnxValue.CreateFromTensor("input_ids", new DenseTensor<long>(ids, shape)),
            NamedOnnxValue.CreateFromTensor("attention_mask", new DenseTensor<long>(mask, shape)),
            NamedOnnxValue.CreateFromTensor("token_type_ids", new DenseTensor<long>(new long[ids.Length], shape)),
        };
        using var results = _session.Run(inputs, new[] { "last_hidden_state" });
        return results.Single().AsEnumerable<float>().ToArray();
    }

    /// <summary>Mean-pooled, L2-normalised sentence embeddings of one batch (the sentence-transformers recipe).</summary>
    public float[][] Embed(IReadOnlyList<string> batch, int hidden)
    {
        var (ids, mask, length) = Encode(batch);
        var states = LastHiddenState(ids, mask, batch.Count, length);
        var result = new float[batch.Count][];
        for (int r = 0; r < batch.Count; r++)
        {
            var sum = new double[hidden];
            int count = 0;
            for (int t = 0; t < length; t++)
            {
                if (mask[(r * length) + t] == 0)
                {
                    continue;
                }

                count++;
                int offset = ((r * length) + t) * hidden;
                for (int h = 0; h < hidden; h++)
                {
                    sum[h] += states[offset + h];
                }
            }

            double norm = Math.Sqrt(sum.Sum(v => (v / count) * (v / count)));
            result[r] = sum.Select(v => (float)(v / count / Math.Max(norm, 1e-12))).ToArray();
        }

        return result;
    }

    public void Dispose() => _session.Dispose();
}
