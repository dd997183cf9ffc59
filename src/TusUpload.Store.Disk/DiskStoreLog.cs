using Microsoft.Extensions.Logging;

namespace TusUpload.Store.Disk;

/// <summary>Log catalogue of the disk store (event ids 2000–2099).</summary>
internal static partial class DiskStoreLog
{
    [LoggerMessage(2000, LogLevel.Debug, "Created upload {UploadId} on disk")]
    public static partial void UploadCreated(ILogger logger, string uploadId);

    [LoggerMessage(2001, LogLevel.Debug, "Chunk for upload {UploadId} opened at offset {Offset}")]
    public static partial void ChunkOpened(ILogger logger, string uploadId, long offset);

    [LoggerMessage(2002, LogLevel.Debug, "Truncated {Bytes} unsaved bytes of upload {UploadId} past offset {Offset}")]
    public static partial void LeftoversTruncated(ILogger logger, string uploadId, long bytes, long offset);

    [LoggerMessage(2003, LogLevel.Debug, "Checkpointed upload {UploadId} at offset {Offset}")]
    public static partial void Checkpointed(ILogger logger, string uploadId, long offset);

    [LoggerMessage(2004, LogLevel.Debug, "Committed chunk of upload {UploadId}: offset {Offset}")]
    public static partial void ChunkCommitted(ILogger logger, string uploadId, long offset);

    [LoggerMessage(2005, LogLevel.Debug, "Discarded {Bytes} unsaved bytes of upload {UploadId}; offset stays {Offset}")]
    public static partial void ChunkDiscarded(ILogger logger, string uploadId, long bytes, long offset);

    [LoggerMessage(2006, LogLevel.Debug, "Deleted upload {UploadId} from disk")]
    public static partial void UploadDeleted(ILogger logger, string uploadId);

    [LoggerMessage(2007, LogLevel.Debug, "Concatenated {PartialCount} partials into upload {UploadId}: {Length} bytes")]
    public static partial void Concatenated(ILogger logger, string uploadId, int partialCount, long length);

    [LoggerMessage(2008, LogLevel.Debug, "Discarded {Bytes} copied bytes of final upload {UploadId}; its copy failed")]
    public static partial void CopyDiscarded(ILogger logger, string uploadId, long bytes);

    [LoggerMessage(2010, LogLevel.Warning, "Skipped unreadable info file {InfoPath} while listing uploads")]
    public static partial void CorruptInfoSkipped(ILogger logger, string infoPath, Exception exception);

    [LoggerMessage(2011, LogLevel.Error, "Disk I/O failed for upload {UploadId} during {Operation}")]
    public static partial void IoFailed(ILogger logger, string uploadId, string operation, Exception exception);

    [LoggerMessage(2012, LogLevel.Error, "Upload {UploadId} claims offset {Offset}; its data holds {DataLength} bytes")]
    public static partial void DataShorterThanOffset(ILogger logger, string uploadId, long offset, long dataLength);

    [LoggerMessage(2013, LogLevel.Warning, "Could not discard unsaved bytes of upload {UploadId}; the next chunk will")]
    public static partial void DiscardFailed(ILogger logger, string uploadId, Exception exception);

    [LoggerMessage(2014, LogLevel.Error, "Info file of upload {UploadId} is damaged: neither slot can be read")]
    public static partial void InfoDamaged(ILogger logger, string uploadId, Exception exception);

    [LoggerMessage(2015, LogLevel.Warning, "Could not remove the data file of upload {UploadId}; its creation failed")]
    public static partial void DebrisLeft(ILogger logger, string uploadId, Exception exception);

    [LoggerMessage(
        2016,
        LogLevel.Warning,
        "Could not discard the copied bytes of final upload {UploadId}; a retried creation or its removal will")]
    public static partial void CopyDiscardFailed(ILogger logger, string uploadId, Exception exception);

    [LoggerMessage(2020, LogLevel.Debug, "Promoted upload {UploadId} to blob {Sha256} by {Method}")]
    public static partial void BlobPromoted(ILogger logger, string uploadId, string sha256, string method);

    [LoggerMessage(2021, LogLevel.Debug, "Released data of upload {UploadId}")]
    public static partial void UploadDataReleased(ILogger logger, string uploadId);

    [LoggerMessage(2022, LogLevel.Debug, "Deleted blob {Sha256}")]
    public static partial void BlobDeleted(ILogger logger, string sha256);

    [LoggerMessage(2023, LogLevel.Error, "Disk I/O failed for blob {Sha256} during {Operation}")]
    public static partial void BlobIoFailed(ILogger logger, string sha256, string operation, Exception exception);

    [LoggerMessage(2030, LogLevel.Warning, "Disk store health probe failed for {StorePath}: {Reason}")]
    public static partial void ProbeFailed(ILogger logger, string storePath, string reason);
}
