using Microsoft.ML;
using TorchSharp;

namespace MLNetExtensions.Transforms.Torch;

/// <summary>
/// Chooses the TorchSharp device the way ML.NET's own TorchSharp trainers do: CPU unless
/// <see cref="MLContext.GpuDeviceId"/> is set; then that CUDA device when CUDA is available,
/// the CPU when it is not and <see cref="MLContext.FallbackToCpu"/> is on, an error otherwise.
/// </summary>
public static class TorchDeviceSelector
{
    /// <summary>The device for <paramref name="mlContext"/>'s GPU settings.</summary>
    /// <exception cref="InvalidOperationException">A GPU was requested, none is usable and fallback to CPU is off.</exception>
    public static torch.Device Select(MLContext mlContext)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        bool cuda = mlContext.GpuDeviceId is not null && torch.cuda.is_available();
        return Select(mlContext.GpuDeviceId, mlContext.FallbackToCpu, cuda, cuda ? torch.cuda.device_count() : 0);
    }

    /// <summary>The decision itself, separated from the hardware probe so that it can be tested on any machine.</summary>
    internal static torch.Device Select(int? gpuDeviceId, bool fallbackToCpu, bool cudaAvailable, int cudaDeviceCount)
    {
        if (gpuDeviceId is null)
        {
            return torch.CPU;
        }

        if (gpuDeviceId < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MLContext.GpuDeviceId), gpuDeviceId, "MLContext.GpuDeviceId must be a CUDA device index ≥ 0, or null for the CPU.");
        }

        if (cudaAvailable && gpuDeviceId < cudaDeviceCount)
        {
            return new torch.Device(DeviceType.CUDA, gpuDeviceId.Value);
        }

        if (fallbackToCpu)
        {
            return torch.CPU;
        }

        string reason = cudaAvailable
            ? $"this machine has {cudaDeviceCount} CUDA device(s), so device {gpuDeviceId} does not exist"
            : "CUDA is not available (no NVIDIA GPU, or the project was built with the default CPU backend: build with -p:TorchBackend=cuda)";
        throw new InvalidOperationException(
            $"MLContext.GpuDeviceId is {gpuDeviceId}, but {reason}. Set MLContext.FallbackToCpu = true to train on the CPU instead, or set GpuDeviceId = null.");
    }
}
