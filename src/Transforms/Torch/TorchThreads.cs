using TorchSharp;

namespace MLNetExtensions.Transforms.Torch;

/// <summary>Sets the number of threads TorchSharp's CPU kernels use (process-wide, as in libtorch).</summary>
public static class TorchThreads
{
    /// <summary>Uses <paramref name="threads"/> threads, or every core when null.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threads"/> is not positive.</exception>
    public static void Configure(int? threads, string optionName = "NumberOfThreads")
    {
        if (threads is <= 0)
        {
            throw new ArgumentOutOfRangeException(optionName, threads, $"{optionName} must be a positive number of threads, or null for all {Environment.ProcessorCount} cores.");
        }

        int wanted = threads ?? Environment.ProcessorCount;
        if (torch.get_num_threads() != wanted)
        {
            torch.set_num_threads(wanted);
        }
    }
}
