using MLNetExtensions.Estimators.Training;
using static TorchSharp.torch;

namespace MLNetExtensions.Tests.Training.Support;

/// <summary>Shared settings and helpers of the engine tests.</summary>
public static class TrainingFixtures
{
    /// <summary>Small, fast options: one torch thread, seed 7.</summary>
    public static TrainingOptions Options => new()
    {
        BatchSize = 8,
        Epochs = 3,
        LearningRate = 1e-2,
        WeightDecay = 0.01,
        Seed = 7,
        NumberOfThreads = 1,
        LogEveryNSteps = 1000,
    };

    /// <summary>A copy of every tensor of the model's state, by name.</summary>
    public static Dictionary<string, Tensor> Snapshot(nn.Module model) =>
        model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());

    /// <summary>Bit-for-bit equality of two tensors (shape, dtype and bytes).</summary>
    public static bool BitEqual(Tensor a, Tensor b) =>
        a.dtype == b.dtype && a.shape.SequenceEqual(b.shape) && a.contiguous().bytes.SequenceEqual(b.contiguous().bytes);

    /// <summary>A fresh temp directory for checkpoints.</summary>
    public static string TempDirectory()
    {
        string path = Path.Combine(Path.GetTempPath(), "mlnx-engine-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }
}
