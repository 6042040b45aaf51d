using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using MpiNative = MPI.Unsafe;

namespace MLNetExtensions.Estimators.Training.Distributed;

/// <summary>
/// The MPI job this process was launched in (<c>mpiexec -n N dotnet …</c>), as data-parallel training sees it: its
/// rank, the number of ranks, and which rank is the leader that writes checkpoints, logs and model files.
/// </summary>
/// <remarks>
/// Read from the launcher's environment variables. Outside <c>mpiexec</c> (or with one process) the process is rank 0
/// of 1 and <see cref="IsLeader"/> is true. Under <c>mpiexec</c> with several processes, MPI is started as soon as this
/// assembly loads (or by <see cref="Initialize"/>), and finalised when the process exits: a rank that then fails and
/// exits makes <c>mpiexec</c> stop every rank, where a rank failing before MPI started would leave the others waiting
/// for it in <c>MPI_Init</c>.
/// </remarks>
public static class DataParallelEnvironment
{
    /// <summary>
    /// Starts MPI now when the process runs under <c>mpiexec</c> with several processes (it is started anyway when this
    /// assembly loads). Call it first thing in <c>Main</c> when the application may fail before it uses an estimator.
    /// </summary>
    /// <exception cref="InvalidOperationException">The MPI library cannot be loaded or started.</exception>
    public static void Initialize()
    {
        if (IsDistributed)
        {
            MpiWorld.Join();
        }
    }

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

#pragma warning disable CA2255 // A module initializer is the one place every rank passes before its own code can fail.
    [ModuleInitializer]
    internal static void StartWithTheAssembly()
#pragma warning restore CA2255
    {
        try
        {
            Initialize();
        }
        catch (InvalidOperationException)
        {
            // No usable MPI: the first data-parallel run reports it, with what to install.
        }
    }
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

    /// <summary>
    /// Set when every rank learnt of a failure together (a training run's agreement) and so stops with it: then the
    /// ranks can still finalise together at exit, each having shown its error.
    /// </summary>
    public static bool FailureAgreed { get; set; }

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

    /// <summary>Rank 0's <paramref name="value"/>, on every rank.</summary>
    public int BroadcastFromLeader(int value)
    {
        Span<byte> bytes = stackalloc byte[sizeof(int)];
        BitConverter.TryWriteBytes(bytes, value);
        Broadcast(bytes, root: 0);
        return BitConverter.ToInt32(bytes);
    }

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
                AppDomain.CurrentDomain.ProcessExit += (_, _) => Finish();
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

    /// <summary>
    /// At process exit: MPI_Finalize after success or after a failure all ranks agreed on. After any other failure (a
    /// non-zero exit code) MPI_Abort, which makes mpiexec stop every rank: MPI_Finalize would wait for ranks that may be
    /// waiting for this one.
    /// </summary>
    private static void Finish()
    {
        MpiNative.MPI_Finalized(out int finalized);
        if (finalized != 0)
        {
            return;
        }

        if (Environment.ExitCode != 0 && !FailureAgreed)
        {
            MpiNative.MPI_Abort(MpiNative.MPI_COMM_WORLD, Environment.ExitCode);
        }

        MpiNative.MPI_Finalize();
    }

    private static void Check(int code, string call)
    {
        if (code != 0)
        {
            throw new InvalidOperationException($"{call} failed with MPI error code {code}.");
        }
    }
}
