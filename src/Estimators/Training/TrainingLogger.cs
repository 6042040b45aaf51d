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
    private readonly bool _writesLog;

    /// <param name="mlContext">Its <c>Log</c> receives the messages.</param>
    /// <param name="progress">Receives every report, or null.</param>
    /// <param name="writesLog">False on the ranks of a data-parallel job other than rank 0, so the log is written once.</param>
    public TrainingLogger(MLContext mlContext, IProgress<TrainingProgress>? progress, bool writesLog = true)
    {
        _channel = ((IChannelProvider)mlContext).Start(ChannelName);
        _progress = progress;
        _writesLog = writesLog;
    }

    public void Report(TrainingProgress progress)
    {
        if (_writesLog)
        {
            _channel.Info(MessageSensitivity.None, progress.ToString());
        }

        _progress?.Report(progress);
    }

    public void Info(string message)
    {
        if (_writesLog)
        {
            _channel.Info(MessageSensitivity.None, message);
        }
    }

    public void Warning(string message)
    {
        if (_writesLog)
        {
            _channel.Warning(MessageSensitivity.None, message);
        }
    }

    public void Dispose() => _channel.Dispose();
}
