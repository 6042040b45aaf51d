using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace MLNetExtensions.Estimators.Catalogs;

/// <summary>
/// An <see cref="MLContext"/> that stands for the one a trainer catalog belongs to. ML.NET keeps a catalog's
/// environment internal (<c>IInternalCatalog.Environment</c>, <c>IHostEnvironmentInternal</c>; dotnet/machinelearning
/// issues 4911 and 6839), and the environment does not lead back to its <see cref="MLContext"/>; so this one place
/// reads the environment's seed and GPU settings by reflection (the library pins Microsoft.ML 5.0.1), creates a context
/// with the same settings, and forwards that context's log messages (information, warnings, errors) to the original
/// environment, where they raise the original context's <see cref="MLContext.Log"/> under their own source names.
/// It also answers whether a context's execution was cancelled (<c>mlContext.CancelExecution()</c>, public through
/// Microsoft.ML.Experimental, sets the environment's internal <c>ICancelable.IsCanceled</c>), following a context made
/// here back to its catalog's environment.
/// </summary>
internal static class CatalogContext
{
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<MLContext, IHostEnvironment> Origins = new();

    /// <summary>A context with the seed, GPU device and CPU fallback of <paramref name="catalog"/>'s environment.</summary>
    /// <exception cref="NotSupportedException">This Microsoft.ML version hides the environment differently.</exception>
    public static MLContext From(object catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var environment = ReadInterfaceProperty(catalog, "IInternalCatalog", "Environment") as IHostEnvironment
            ?? throw Unsupported("a trainer catalog's environment");
        var context = new MLContext(ReadInterfaceProperty(environment, "IHostEnvironmentInternal", "Seed") as int?)
        {
            GpuDeviceId = ReadInterfaceProperty(environment, "IHostEnvironmentInternal", "GpuDeviceId") as int?,
            FallbackToCpu = ReadInterfaceProperty(environment, "IHostEnvironmentInternal", "FallbackToCpu") as bool? ?? false,
        };
        context.Log += (_, message) => Forward(environment, message);
        Origins.AddOrUpdate(context, environment);
        return context;
    }

    /// <summary>
    /// True once <c>CancelExecution()</c> was called on <paramref name="mlContext"/> (or on the context whose catalog
    /// <paramref name="mlContext"/> was made from). False when this Microsoft.ML version hides the flag differently.
    /// </summary>
    public static bool IsExecutionCancelled(MLContext mlContext)
    {
        object? environment = typeof(MLContext).GetField("_env", BindingFlags.Instance | BindingFlags.NonPublic)?.GetValue(mlContext);
        return IsCancelled(environment) || (Origins.TryGetValue(mlContext, out var origin) && IsCancelled(origin));
    }

    private static bool IsCancelled(object? environment) =>
        environment?.GetType().GetInterfaces().FirstOrDefault(i => i.Name == "ICancelable")
            ?.GetProperty("IsCanceled", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
            ?.GetValue(environment) is true;

    private static void Forward(IHostEnvironment environment, LoggingEventArgs message)
    {
        if (message.Kind is not (ChannelMessageKind.Info or ChannelMessageKind.Warning or ChannelMessageKind.Error))
        {
            return;
        }

        using var channel = environment.Start(message.Source ?? nameof(CatalogContext));
        switch (message.Kind)
        {
            case ChannelMessageKind.Error:
                channel.Error(MessageSensitivity.None, message.RawMessage);
                break;
            case ChannelMessageKind.Warning:
                channel.Warning(MessageSensitivity.None, message.RawMessage);
                break;
            default:
                channel.Info(MessageSensitivity.None, message.RawMessage);
                break;
        }
    }

    private static object? ReadInterfaceProperty(object instance, string interfaceName, string propertyName)
    {
        var property = instance.GetType().GetInterfaces()
            .FirstOrDefault(i => i.Name == interfaceName)
            ?.GetProperty(propertyName, BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
            ?? throw Unsupported($"{interfaceName}.{propertyName}");
        return property.GetValue(instance);
    }

    private static NotSupportedException Unsupported(string what) =>
        new($"Microsoft.ML no longer exposes {what} as version 5.0.1 does; construct the trainer directly with an MLContext instead.");
}
