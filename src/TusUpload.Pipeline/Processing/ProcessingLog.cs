using Microsoft.Extensions.Logging;

namespace TusUpload.Pipeline.Processing;

// Event ids 4500–4599: completion processing.
internal static partial class ProcessingLog
{
    [LoggerMessage(
        EventId = 4500,
        Level = LogLevel.Debug,
        Message = "Upload {UploadId} is already {State}; delivery {DeliveryCount} changes nothing")]
    public static partial void AlreadyProcessed(this ILogger logger, string uploadId, string state, int deliveryCount);

    [LoggerMessage(
        EventId = 4501,
        Level = LogLevel.Information,
        Message = "Upload {UploadId} processed: {State}, sha256 {Sha256}, {Length} bytes, in {ElapsedMilliseconds} ms")]
    public static partial void Processed(
        this ILogger logger,
        string uploadId,
        string state,
        string sha256,
        long length,
        double elapsedMilliseconds);

    [LoggerMessage(
        EventId = 4502,
        Level = LogLevel.Warning,
        Message = "Upload {UploadId} is infected ({Signature}) and quarantined; its data is discarded")]
    public static partial void Quarantined(this ILogger logger, string uploadId, string signature);

    [LoggerMessage(
        EventId = 4503,
        Level = LogLevel.Warning,
        Message = "Upload {UploadId} failed: {Reason}")]
    public static partial void Failed(this ILogger logger, string uploadId, string reason);

    [LoggerMessage(
        EventId = 4504,
        Level = LogLevel.Warning,
        Message = "Upload {UploadId}: {Service} is unavailable; retrying in {DelaySeconds} s: {Reason}")]
    public static partial void ServiceUnavailable(
        this ILogger logger,
        string uploadId,
        string service,
        double delaySeconds,
        string reason);

    [LoggerMessage(
        EventId = 4505,
        Level = LogLevel.Error,
        Message = "Processing upload {UploadId} failed on delivery {DeliveryCount}: {Reason}")]
    public static partial void AttemptFailed(this ILogger logger, string uploadId, int deliveryCount, string reason);

    [LoggerMessage(
        EventId = 4506,
        Level = LogLevel.Error,
        Message = "Upload {UploadId} gave up after {DeliveryCount} deliveries and is marked failed: {Reason}")]
    public static partial void GaveUp(this ILogger logger, string uploadId, int deliveryCount, string reason);

    [LoggerMessage(
        EventId = 4507,
        Level = LogLevel.Debug,
        Message = "Upload {UploadId} is not in the ledger or not ready ({State}); nothing to process")]
    public static partial void NotProcessable(this ILogger logger, string uploadId, string state);

    [LoggerMessage(
        EventId = 4508,
        Level = LogLevel.Debug,
        Message = "Upload {UploadId}: SHA-256 taken from the store, which hashed the bytes it stored; not read back")]
    public static partial void HashFromStore(this ILogger logger, string uploadId);

    [LoggerMessage(
        EventId = 4509,
        Level = LogLevel.Information,
        Message = "Upload {UploadId} was {State} while it was processed ({Reason}); nothing more to do")]
    public static partial void EndedWhileProcessed(this ILogger logger, string uploadId, string state, string reason);

    [LoggerMessage(
        EventId = 4510,
        Level = LogLevel.Information,
        Message = "Upload {UploadId} ended while it was processed; blob {Sha256}, which no upload points at, "
            + "is deleted")]
    public static partial void UnreferencedBlobDeleted(this ILogger logger, string uploadId, string sha256);

    [LoggerMessage(
        EventId = 4511,
        Level = LogLevel.Warning,
        Message = "Upload {UploadId} ended while it was processed; deleting blob {Sha256}, which no upload points at, "
            + "failed and it stays: {Reason}")]
    public static partial void UnreferencedBlobDeleteFailed(
        this ILogger logger,
        string uploadId,
        string sha256,
        string reason);

    [LoggerMessage(
        EventId = 4512,
        Level = LogLevel.Information,
        Message = "Upload {UploadId} is marked failed; blob {Sha256}, promoted for it and pointed at by no upload, "
            + "is deleted")]
    public static partial void FailedUploadsBlobDeleted(this ILogger logger, string uploadId, string sha256);

    [LoggerMessage(
        EventId = 4513,
        Level = LogLevel.Warning,
        Message = "Upload {UploadId} is marked failed; deleting blob {Sha256}, promoted for it and pointed at by no "
            + "upload, failed and it stays: {Reason}")]
    public static partial void FailedUploadsBlobDeleteFailed(
        this ILogger logger,
        string uploadId,
        string sha256,
        string reason);
}
