using Microsoft.Extensions.Logging;

namespace TusUpload.Postgres.Locking;

/// <summary>Log messages of the PostgreSQL upload lock (event ids 2200–2299).</summary>
internal static partial class LockLog
{
    [LoggerMessage(2200, LogLevel.Debug, "Upload {UploadId}: lease taken by {InstanceId}")]
    public static partial void Acquired(ILogger logger, string uploadId, string instanceId);

    [LoggerMessage(2201, LogLevel.Debug, "Upload {UploadId}: lease held elsewhere, holder asked to release")]
    public static partial void HolderAsked(ILogger logger, string uploadId);

    [LoggerMessage(2202, LogLevel.Information, "Upload {UploadId}: lease still held after {TimeoutMs} ms, giving up")]
    public static partial void TakeoverTimedOut(ILogger logger, string uploadId, double timeoutMs);

    [LoggerMessage(2203, LogLevel.Debug, "Upload {UploadId}: release requested by another request")]
    public static partial void ReleaseRequested(ILogger logger, string uploadId);

    [LoggerMessage(
        2204,
        LogLevel.Warning,
        "Upload {UploadId}: lease lost (renewal failed), the writer is asked to stop")]
    public static partial void LeaseLost(ILogger logger, string uploadId, Exception? exception);

    [LoggerMessage(2205, LogLevel.Debug, "Upload {UploadId}: lease released")]
    public static partial void Released(ILogger logger, string uploadId);

    [LoggerMessage(2206, LogLevel.Warning, "Upload {UploadId}: lease could not be released; it expires by itself")]
    public static partial void ReleaseFailed(ILogger logger, string uploadId, Exception exception);

    [LoggerMessage(2207, LogLevel.Information, "Lock listener of {InstanceId} connected as backend {Pid}")]
    public static partial void ListenerConnected(ILogger logger, string instanceId, int pid);

    [LoggerMessage(2208, LogLevel.Error, "Lock listener of {InstanceId} lost its connection; held leases are given up")]
    public static partial void ListenerLost(ILogger logger, string instanceId, Exception exception);
}
