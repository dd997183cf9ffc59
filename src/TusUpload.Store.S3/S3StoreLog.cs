using Microsoft.Extensions.Logging;

namespace TusUpload.Store.S3;

/// <summary>Log messages of the S3 store (event ids 2100–2199).</summary>
internal static partial class S3StoreLog
{
    [LoggerMessage(2100, LogLevel.Debug, "Upload {UploadId}: created with parts of {PartSize} bytes")]
    public static partial void UploadCreated(ILogger logger, string uploadId, long partSize);

    [LoggerMessage(2101, LogLevel.Debug, "Upload {UploadId}: part {PartNumber} of {Size} bytes stored")]
    public static partial void PartStored(ILogger logger, string uploadId, int partNumber, long size);

    [LoggerMessage(
        2102,
        LogLevel.Debug,
        "Upload {UploadId}: committed, offset {Offset}, incomplete part {IncompleteSize} bytes")]
    public static partial void ChunkCommitted(ILogger logger, string uploadId, long offset, long incompleteSize);

    [LoggerMessage(2103, LogLevel.Debug, "Upload {UploadId}: object assembled from {PartCount} parts")]
    public static partial void UploadAssembled(ILogger logger, string uploadId, int partCount);

    [LoggerMessage(2104, LogLevel.Debug, "Upload {UploadId}: deleted with its helper objects")]
    public static partial void UploadDeleted(ILogger logger, string uploadId);

    [LoggerMessage(2106, LogLevel.Debug, "Upload {UploadId}: concatenated {PartialCount} partials by {Method}")]
    public static partial void Concatenated(ILogger logger, string uploadId, int partialCount, string method);

    [LoggerMessage(2107, LogLevel.Warning, "Upload {UploadId}: could not remove helper object {Key}")]
    public static partial void HelperCleanupFailed(ILogger logger, string uploadId, string key, Exception exception);

    [LoggerMessage(2108, LogLevel.Information, "S3 bucket {Bucket} exists at {ServiceUrl} (created if it was missing)")]
    public static partial void BucketReady(ILogger logger, string bucket, string serviceUrl);

    [LoggerMessage(
        2109,
        LogLevel.Information,
        "S3 store ready: bucket {Bucket} at {ServiceUrl}, parts of {PartSize} bytes, at most {MaxParts}")]
    public static partial void StoreReady(
        ILogger logger,
        string bucket,
        string serviceUrl,
        long partSize,
        int maxParts);

    [LoggerMessage(2110, LogLevel.Debug, "Blob {Sha256}: promoted from upload {UploadId}")]
    public static partial void BlobPromoted(ILogger logger, string sha256, string uploadId);

    [LoggerMessage(
        2111,
        LogLevel.Warning,
        "Upload {UploadId}: info object is unreadable; listing skips it, deletion cannot abort its multipart upload")]
    public static partial void InfoUnreadable(ILogger logger, string uploadId, Exception exception);

    [LoggerMessage(2112, LogLevel.Debug, "Upload {UploadId}: multipart upload started for its first full part")]
    public static partial void MultipartStarted(ILogger logger, string uploadId);

    [LoggerMessage(2113, LogLevel.Debug, "Upload {UploadId}: stored whole as one object of {Size} bytes")]
    public static partial void StoredAsOneObject(ILogger logger, string uploadId, long size);

    // 2114 was the missing bucket at start-up; it is refused as a setting now (one "Invalid configuration" line on
    // standard error). Not to be reused: alerts may still look for it.

    [LoggerMessage(
        2115,
        LogLevel.Error,
        "Upload {UploadId}: part {PartNumber} was overwritten after it was recorded; offset set back from "
        + "{RecordedOffset} to {Offset}, the client sends the bytes again")]
    public static partial void UploadRewound(
        ILogger logger,
        string uploadId,
        int partNumber,
        long recordedOffset,
        long offset,
        Exception exception);
}
