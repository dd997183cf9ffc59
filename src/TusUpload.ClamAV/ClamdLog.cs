using Microsoft.Extensions.Logging;

namespace TusUpload.ClamAV;

// Event ids 5000–5099 belong to the clamd client. A scan's lines carry {UploadId}, null for a scan that is not
// of an upload (the session was opened without one).
internal static partial class ClamdLog
{
    [LoggerMessage(EventId = 5000, Level = LogLevel.Debug, Message = "Connected to clamd at {Endpoint}")]
    public static partial void Connected(this ILogger logger, string endpoint);

    [LoggerMessage(EventId = 5001, Level = LogLevel.Warning, Message = "clamd at {Endpoint} is unreachable: {Reason}")]
    public static partial void Unreachable(this ILogger logger, string endpoint, string reason);

    [LoggerMessage(
        EventId = 5002,
        Level = LogLevel.Warning,
        Message = "clamd at {Endpoint} did not answer within {TimeoutSeconds} s ({Operation})")]
    public static partial void TimedOut(this ILogger logger, string endpoint, double timeoutSeconds, string operation);

    [LoggerMessage(
        EventId = 5003,
        Level = LogLevel.Debug,
        Message = "Scan of upload {UploadId} ({Bytes} bytes) is clean after {ElapsedMilliseconds} ms")]
    public static partial void ScanClean(this ILogger logger, string? uploadId, long bytes, double elapsedMilliseconds);

    [LoggerMessage(
        EventId = 5004,
        Level = LogLevel.Warning,
        Message = "Scan of upload {UploadId} ({Bytes} bytes) found {Signature} after {ElapsedMilliseconds} ms")]
    public static partial void ScanInfected(
        this ILogger logger,
        string? uploadId,
        long bytes,
        string signature,
        double elapsedMilliseconds);

    [LoggerMessage(
        EventId = 5005,
        Level = LogLevel.Warning,
        Message = "Scan of upload {UploadId} ({Bytes} bytes) gave no verdict after {ElapsedMilliseconds} ms: {Reason}")]
    public static partial void ScanError(
        this ILogger logger,
        string? uploadId,
        long bytes,
        string reason,
        double elapsedMilliseconds);

    [LoggerMessage(
        EventId = 5006,
        Level = LogLevel.Information,
        Message = "Upload {UploadId} passed the scan limit of {MaxStreamLength} bytes; it is not sent on to clamd")]
    public static partial void StreamOverLimit(this ILogger logger, string? uploadId, long maxStreamLength);

    [LoggerMessage(
        EventId = 5007,
        Level = LogLevel.Warning,
        Message = "clamd at {Endpoint} closed the stream of upload {UploadId} after {Bytes} bytes; reading its reply")]
    public static partial void ClosedEarly(this ILogger logger, string endpoint, string? uploadId, long bytes);
}
