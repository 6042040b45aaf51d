using System.Reflection;
using System.Runtime.InteropServices;
using MpiNative = MPI.Unsafe;

namespace MLNetExtensions.Estimators.Training.Distributed;

/// <summary>
/// The MPI job this process was launched in (<c>mpiexec -n N dotnet …</c>), as data-parallel training sees it: its
/// rank, the number of ranks, and which rank is the leader that writes checkpoints, logs and model files.
/// </summary>
/// <remarks>
/// Read from the launcher's environment variables, so asking does not start MPI. Outside <c>mpiexec</c> (or with one
/// process) the process is rank 0 of 1 and <see cref="IsLeader"/> is true. MPI itself is started the first time a
/// training run trains data-parallel, and finalised when the process exits.
/// </remarks>
public static class DataParallelEnvironment
{
    /// <summary>The number of processes in the job: 1 outside <c>mpiexec</c>.</summary>
    public static int Size => ReadInt("PMI_SIZE") ?? ReadInt("OMPI_COMM_WORLD_SIZE") ?? ReadInt("PMIX_SIZE") ?? 1;

    /// <summary>This process's rank, 0 to <see cref="Size"/> − 1.</summary>
    public static int Rank => ReadInt("PMI_RANK") ?? ReadInt("OMPI_COMM_WORLD_RANK") ?? ReadInt("PMIX_RANK") ?? 0;

    /// <summary>This process's rank among the job's processes on the same host (which GPU it takes).</summary>
    public static int LocalRank => ReadInt("MPI_LOCALRANKID") ?? ReadInt("OMPI_COMM_WORLD_LOCAL_RANK") ?? 0;

    /// <summary>The number of the job's processes on this host.</summary>
    public static int LocalSize => ReadInt("MPI_LOCALNRANKS") ?? ReadInt("OMPI_COMM_WORLD_LOCAL_SIZE") ?? 1;

    /// <summary>True on rank 0, the one rank that writes checkpoints, logs and model files.</summary>
    public static bool IsLeader => Rank == 0;

    /// <summary>True when the process runs under <c>mpiexec</c> with more than one process.</summary>
    public static bool IsDistributed => Size > 1;

    private static int? ReadInt(string name) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out int value) ? value : null;
}

/// <summary>
/// The MPI communicator of the job (<c>MPI_COMM_WORLD</c>) with the few collectives data-parallel training needs, on raw
/// memory so tensors are reduced without managed copies. One per process, started on first use.
/// </summary>
/// <remarks>
/// MPI.NET 1.4 binds to Microsoft MPI's <c>msmpi.dll</c>. MPICH (and MPICH-ABI implementations such as Intel MPI) use the
/// same integer handles, so its <c>libmpich.so.12</c> / <c>libmpi.so.12</c> is loaded in its place; Open MPI's ABI differs
/// (its handles are pointers) and is refused with that reason. Every call here is made from the training thread.
/// </remarks>
internal sealed unsafe class MpiWorld
{
    private static readonly object Gate = new();
    private static MpiWorld? _instance;

    private MpiWorld(int rank, int size)
    {
        Rank = rank;
        Size = size;
    }

    public int Rank { get; }

    public int Size { get; }

    /// <summary>The job's communicator, starting MPI on first use.</summary>
    /// <exception cref="InvalidOperationException">The MPI library cannot be loaded or started.</exception>
    public static MpiWorld Join()
    {
        lock (Gate)
        {
            return _instance ??= Start();
        }
    }

    /// <summary>Sums <paramref name="count"/> elements of <paramref name="send"/> over all ranks into <paramref name="receive"/>.</summary>
    public void AllReduceSum(IntPtr send, IntPtr receive, int count, bool isDouble) =>
        Check(MpiNative.MPI_Allreduce(send, receive, count, isDouble ? MpiNative.MPI_DOUBLE : MpiNative.MPI_FLOAT, MpiNative.MPI_SUM, MpiNative.MPI_COMM_WORLD), "MPI_Allreduce");

    /// <summary>Element-wise sum of <paramref name="values"/> over all ranks, in place.</summary>
    public void AllReduceSum(Span<double> values) => AllReduce(values, MpiNative.MPI_DOUBLE, MpiNative.MPI_SUM);

    /// <summary>Element-wise maximum of <paramref name="values"/> over all ranks, in place.</summary>
    public void AllReduceMax(Span<long> values) => AllReduce(values, MpiNative.MPI_LONG_LONG, MpiNative.MPI_MAX);

    /// <summary>Copies <paramref name="bytes"/> of rank <paramref name="root"/> to every rank.</summary>
    public void Broadcast(Span<byte> bytes, int root)
    {
        // MPI counts are int: send large buffers in pieces.
        const int Piece = 1 << 30;
        fixed (byte* start = bytes)
        {
            for (int offset = 0; offset < bytes.Length; offset += Piece)
            {
                int count = Math.Min(Piece, bytes.Length - offset);
                Check(MpiNative.MPI_Bcast((IntPtr)(start + offset), count, MpiNative.MPI_BYTE, root, MpiNative.MPI_COMM_WORLD), "MPI_Bcast");
            }
        }
    }

    private void AllReduce<T>(Span<T> values, int datatype, int operation)
        where T : unmanaged
    {
        Span<T> result = stackalloc T[values.Length];
        fixed (T* send = values)
        fixed (T* receive = result)
        {
            Check(MpiNative.MPI_Allreduce((IntPtr)send, (IntPtr)receive, values.Length, datatype, operation, MpiNative.MPI_COMM_WORLD), "MPI_Allreduce");
        }

        result.CopyTo(values);
    }

    private static MpiWorld Start()
    {
        NativeLibrary.SetDllImportResolver(typeof(MpiNative).Assembly, ResolveMpiLibrary);
        try
        {
            MpiNative.MPI_Initialized(out int initialized);
            if (initialized == 0)
            {
                int argc = 0;
                byte** argv = null;
                Check(MpiNative.MPI_Init_thread(ref argc, ref argv, MpiNative.MPI_THREAD_SERIALIZED, out _), "MPI_Init_thread");
                AppDomain.CurrentDomain.ProcessExit += (_, _) => Finalise();
            }

            Check(MpiNative.MPI_Comm_rank(MpiNative.MPI_COMM_WORLD, out int rank), "MPI_Comm_rank");
            Check(MpiNative.MPI_Comm_size(MpiNative.MPI_COMM_WORLD, out int size), "MPI_Comm_size");
            return new MpiWorld(rank, size);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            throw new InvalidOperationException(
                "Data-parallel training needs an MPICH-compatible MPI library (libmpich.so.12 or libmpi.so.12), which could not be loaded: " +
                "install MPICH (Debian/Ubuntu: apt-get install mpich) and launch with its mpiexec. " + e.Message, e);
        }
    }

    private static IntPtr ResolveMpiLibrary(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (!name.StartsWith("msmpi", StringComparison.OrdinalIgnoreCase))
        {
            return IntPtr.Zero;
        }

        if (Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE") is not null)
        {
            throw new DllNotFoundException(
                "this job was launched by Open MPI's mpiexec; Open MPI's binary interface differs from MPICH's, which the MPI binding uses.");
        }

        foreach (string candidate in new[] { "libmpich.so.12", "libmpi.so.12", "libmpich.so", "msmpi.dll" })
        {
            if (NativeLibrary.TryLoad(candidate, out IntPtr handle))
            {
                return handle;
            }
        }

        return IntPtr.Zero;
    }

    private static void Finalise()
    {
        MpiNative.MPI_Finalized(out int finalized);
        if (finalized == 0)
        {
            MpiNative.MPI_Finalize();
        }
    }

    private static void Check(int code, string call)
    {
        if (code != 0)
        {
            throw new InvalidOperationException($"{call} failed with MPI error code {code}.");
        }
    }
}
