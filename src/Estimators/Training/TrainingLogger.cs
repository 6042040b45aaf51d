using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace MLNetExtensions.Estimators.Training;

/// <summary>
/// Sends progress to the caller's <see cref="IProgress{T}"/> (synchronously) and to <c>MLContext.Log</c>.
/// </summary>
/// <remarks>
/// <c>MLContext.Log</c> is an event an external assembly cannot raise, and ML.NET's logging helpers are internal; but
/// <c>MLContext</c> implements the public <see cref="IChannelProvider"/>, and <see cref="IChannel.Info(MessageSensitivity, string)"/>
/// on a channel started from it raises <c>MLContext.Log</c> with the channel name as the source.
/// </remarks>
internal sealed class TrainingLogger : IDisposable
{
    /// <summary>The source name of the engine's messages in <c>MLContext.Log</c>.</summary>
    public const string ChannelName = "MLNetExtensions.TrainingEngine";

    private readonly IChannel _channel;
    private readonly IProgress<TrainingProgress>? _progress;

    public TrainingLogger(MLContext mlContext, IProgress<TrainingProgress>? progress)
    {
        _channel = ((IChannelProvider)mlContext).Start(ChannelName);
        _progress = progress;
    }

    public void Report(TrainingProgress progress)
    {
        _channel.Info(MessageSensitivity.None, progress.ToString());
        _progress?.Report(progress);
    }

    public void Info(string message) => _channel.Info(MessageSensitivity.None, message);

    public void Warning(string message) => _channel.Warning(MessageSensitivity.None, message);

    public void Dispose() => _channel.Dispose();
}
