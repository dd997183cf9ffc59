using Microsoft.Extensions.Logging;

namespace TusUpload.Protocol.Diagnostics;

/// <summary>Log messages of the protocol layer, event ids 1000–1999.</summary>
internal static partial class TusLog
{
    // {UploadId} is null on these request-level events when the request names no upload and has made none.
    [LoggerMessage(1000, LogLevel.Debug, "Rejected {Method} {Path} with {StatusCode}: {Reason} (upload {UploadId})")]
    public static partial void Rejected(
        ILogger logger,
        string method,
        string path,
        int statusCode,
        string reason,
        string? uploadId);

    [LoggerMessage(1001, LogLevel.Information, "Created upload {UploadId} (length {Length}, concat {Concat})")]
    public static partial void Created(ILogger logger, string uploadId, long? length, string concat);

    [LoggerMessage(1002, LogLevel.Debug, "Stored {Bytes} bytes of upload {UploadId}; offset now {Offset}")]
    public static partial void ChunkStored(ILogger logger, string uploadId, long bytes, long offset);

    [LoggerMessage(1003, LogLevel.Information, "Upload {UploadId} completed with {Length} bytes")]
    public static partial void Completed(ILogger logger, string uploadId, long length);

    [LoggerMessage(1004, LogLevel.Information, "Upload {UploadId} terminated by the client")]
    public static partial void Terminated(ILogger logger, string uploadId);

    [LoggerMessage(1005, LogLevel.Information, "Upload {UploadId} expired and was removed")]
    public static partial void Expired(ILogger logger, string uploadId);

    [LoggerMessage(1006, LogLevel.Debug, "Client of upload {UploadId} went away after {Bytes} bytes")]
    public static partial void ClientGone(ILogger logger, string uploadId, long bytes);

    [LoggerMessage(1007, LogLevel.Information, "Body of upload {UploadId} idle for {IdleTimeout}; connection ended")]
    public static partial void IdleTimeout(ILogger logger, string uploadId, TimeSpan idleTimeout);

    [LoggerMessage(1008, LogLevel.Information, "Writer of upload {UploadId} handed over to a newer request")]
    public static partial void HandedOver(ILogger logger, string uploadId);

    [LoggerMessage(1009, LogLevel.Warning, "Checksum mismatch on upload {UploadId}; chunk of {Bytes} bytes discarded")]
    public static partial void ChecksumMismatch(ILogger logger, string uploadId, long bytes);

    [LoggerMessage(1010, LogLevel.Information, "Upload {UploadId} is locked by another writer that did not hand over")]
    public static partial void Locked(ILogger logger, string uploadId);

    [LoggerMessage(1011, LogLevel.Error, "Recording the completion of upload {UploadId} failed; the client will retry")]
    public static partial void CompletionFailed(ILogger logger, Exception exception, string uploadId);

    [LoggerMessage(1012, LogLevel.Warning, "Store unavailable while handling {Method} {Path} (upload {UploadId})")]
    public static partial void StoreUnavailable(
        ILogger logger,
        Exception exception,
        string method,
        string path,
        string? uploadId);

    [LoggerMessage(1013, LogLevel.Error, "Unexpected failure while handling {Method} {Path} (upload {UploadId})")]
    public static partial void Failed(
        ILogger logger,
        Exception exception,
        string method,
        string path,
        string? uploadId);

    [LoggerMessage(
        1014,
        LogLevel.Debug,
        "Request {Method} {Path} ended because the client went away (upload {UploadId})")]
    public static partial void RequestAborted(ILogger logger, string method, string path, string? uploadId);

    [LoggerMessage(1015, LogLevel.Information, "Body of upload {UploadId} cut short by shutdown after {Bytes} bytes")]
    public static partial void ShutdownDuringBody(ILogger logger, string uploadId, long bytes);

    [LoggerMessage(1016, LogLevel.Error, "Sweeping upload {UploadId} failed")]
    public static partial void SweepFailed(ILogger logger, Exception exception, string uploadId);

    [LoggerMessage(1017, LogLevel.Error, "Sweep of the upload store failed")]
    public static partial void SweepRunFailed(ILogger logger, Exception exception);

    [LoggerMessage(1018, LogLevel.Information, "Sweep removed {Expired} uploads and recorded {Recovered} completions")]
    public static partial void Swept(ILogger logger, int expired, int recovered);

    [LoggerMessage(1019, LogLevel.Error, "Lifecycle notification {Notification} for upload {UploadId} failed")]
    public static partial void NotificationFailed(
        ILogger logger,
        Exception exception,
        string notification,
        string uploadId);

    [LoggerMessage(1020, LogLevel.Debug, "Lifecycle: upload {UploadId} {Notification}")]
    public static partial void Lifecycle(ILogger logger, string uploadId, string notification);

    [LoggerMessage(1021, LogLevel.Debug, "Body of upload {UploadId} overran the allowed {MaxBytes} bytes")]
    public static partial void Overrun(ILogger logger, string uploadId, long maxBytes);

    [LoggerMessage(1022, LogLevel.Warning, "Timed out while handling {Method} {Path} (upload {UploadId})")]
    public static partial void TimedOut(
        ILogger logger,
        Exception exception,
        string method,
        string path,
        string? uploadId);

    [LoggerMessage(1023, LogLevel.Debug, "Body of upload {UploadId} malformed after {Bytes} bytes: {Reason}")]
    public static partial void MalformedBody(ILogger logger, string uploadId, long bytes, string reason);

    [LoggerMessage(
        1024,
        LogLevel.Information,
        "Upload {UploadId} removed: its creation was cut off before the answer, so no client knows it")]
    public static partial void Abandoned(ILogger logger, string uploadId);

    [LoggerMessage(
        1025,
        LogLevel.Warning,
        "Upload {UploadId}, whose creation was cut off before the answer, could not be removed; it stays until "
        + "it expires")]
    public static partial void AbandonedNotRemoved(ILogger logger, Exception exception, string uploadId);

    [LoggerMessage(
        1026,
        LogLevel.Information,
        "Upload {UploadId} removed: it could not be registered, so its creation was refused without its URL")]
    public static partial void UnregisteredRemoved(ILogger logger, string uploadId);

    [LoggerMessage(
        1027,
        LogLevel.Warning,
        "Upload {UploadId}, which could not be registered, could not be removed either; it stays until it expires")]
    public static partial void UnregisteredNotRemoved(ILogger logger, Exception exception, string uploadId);
}
