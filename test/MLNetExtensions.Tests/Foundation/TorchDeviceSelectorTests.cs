using Microsoft.ML;
using MLNetExtensions.Transforms.Torch;
using TorchSharp;

namespace MLNetExtensions.Tests.Foundation;

public sealed class TorchDeviceSelectorTests
{
    [Fact]
    public void NoGpuRequested_GivesTheCpu() =>
        TorchDeviceSelector.Select(new MLContext()).type.Should().Be(DeviceType.CPU);

    [Fact]
    public void GpuRequestedWithoutCuda_AndNoFallback_ThrowsNamingTheSettings()
    {
        var context = new MLContext { GpuDeviceId = 0, FallbackToCpu = false };
        var act = () => TorchDeviceSelector.Select(context);
        act.Should().Throw<InvalidOperationException>()
            .WithMessage("*GpuDeviceId is 0*CUDA is not available*FallbackToCpu*");
    }

    [Fact]
    public void GpuRequestedWithoutCuda_WithFallback_GivesTheCpu() =>
        TorchDeviceSelector.Select(new MLContext { GpuDeviceId = 0, FallbackToCpu = true }).type.Should().Be(DeviceType.CPU);

    [Fact]
    public void GpuRequestedWithCuda_GivesThatDevice()
    {
        var device = TorchDeviceSelector.Select(1, fallbackToCpu: false, cudaAvailable: true, cudaDeviceCount: 2);
        device.type.Should().Be(DeviceType.CUDA);
        device.index.Should().Be(1);
    }

    [Fact]
    public void AMissingGpuIndex_WithoutFallback_Throws()
    {
        var act = () => TorchDeviceSelector.Select(3, fallbackToCpu: false, cudaAvailable: true, cudaDeviceCount: 1);
        act.Should().Throw<InvalidOperationException>().WithMessage("*1 CUDA device(s)*device 3 does not exist*");
    }

    [Fact]
    public void UnderDataParallel_EachProcessOnAHost_TakesItsOwnGpu()
    {
        TorchDeviceSelector.Select(0, fallbackToCpu: false, cudaAvailable: true, cudaDeviceCount: 4, localRank: 3).index.Should().Be(3);
        TorchDeviceSelector.Select(1, fallbackToCpu: false, cudaAvailable: true, cudaDeviceCount: 4, localRank: 2).index.Should().Be(3);
        TorchDeviceSelector.Select(null, fallbackToCpu: false, cudaAvailable: true, cudaDeviceCount: 4, localRank: 2).type.Should().Be(DeviceType.CPU);
    }

    [Fact]
    public void MoreProcessesOnAHostThanGpus_ThrowsNamingTheLocalRank()
    {
        var act = () => TorchDeviceSelector.Select(0, fallbackToCpu: false, cudaAvailable: true, cudaDeviceCount: 2, localRank: 2);
        act.Should().Throw<InvalidOperationException>().WithMessage("*Process 2 of the data-parallel job*device GpuDeviceId + 2 = 2*2 CUDA device(s)*at most 2 processes per host*");
    }

    [Fact]
    public void ThreadCount_IsAnOption_AndMustBePositive()
    {
        int before = torch.get_num_threads();
        TorchThreads.Configure(null);
        torch.get_num_threads().Should().Be(Environment.ProcessorCount);
        var act = () => TorchThreads.Configure(0, "Threads");
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*Threads must be a positive*");
        torch.set_num_threads(before);
    }
}
