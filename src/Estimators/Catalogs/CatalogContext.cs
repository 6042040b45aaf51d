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
/// </summary>
internal static class CatalogContext
{
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
        return context;
    }

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
