using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace MLNetExtensions.Tests.Checkpoints;

/// <summary>ONNX Runtime running the MiniLM export: the reference engine of the parity tests.</summary>
internal sealed class OnnxRuntimeReference : IDisposable
{
    private readonly InferenceSession _session;

    public OnnxRuntimeReference(byte[] model, int threads = 2)
    {
        using var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1 };
        _session = new InferenceSession(model, options);
    }

    /// <summary><c>last_hidden_state</c> [rows, length, hidden], flattened, for padded id and mask rows.</summary>
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

    public void Dispose() => _session.Dispose();
}
