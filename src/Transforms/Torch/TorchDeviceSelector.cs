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
    public static torch.Device Select(MLContext mlContext) => Select(mlContext, localRank: 0);

    /// <summary>
    /// The device of one process of a data-parallel job on a host: CUDA device <see cref="MLContext.GpuDeviceId"/> +
    /// <paramref name="localRank"/>, so the job's processes on a host each take their own GPU.
    /// </summary>
    /// <param name="mlContext">The GPU settings.</param>
    /// <param name="localRank">The process's rank among the job's processes on this host.</param>
    /// <exception cref="InvalidOperationException">A GPU was requested, none is usable and fallback to CPU is off.</exception>
    public static torch.Device Select(MLContext mlContext, int localRank)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentOutOfRangeException.ThrowIfNegative(localRank);
        bool cuda = mlContext.GpuDeviceId is not null && torch.cuda.is_available();
        return Select(mlContext.GpuDeviceId, mlContext.FallbackToCpu, cuda, cuda ? torch.cuda.device_count() : 0, localRank);
    }

    /// <summary>The decision itself, separated from the hardware probe so that it can be tested on any machine.</summary>
    internal static torch.Device Select(int? gpuDeviceId, bool fallbackToCpu, bool cudaAvailable, int cudaDeviceCount, int localRank = 0)
    {
        if (gpuDeviceId is null)
        {
            return torch.CPU;
        }

        if (localRank > 0 && gpuDeviceId >= 0)
        {
            int device = gpuDeviceId.Value + localRank;
            if (cudaAvailable && device >= cudaDeviceCount && !fallbackToCpu)
            {
                throw new InvalidOperationException(
                    $"Process {localRank} of the data-parallel job on this host takes CUDA device GpuDeviceId + {localRank} = {device}, but this machine has " +
                    $"{cudaDeviceCount} CUDA device(s): start at most {cudaDeviceCount - gpuDeviceId} processes per host (mpiexec -ppn), or lower MLContext.GpuDeviceId.");
            }

            gpuDeviceId = device;
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
