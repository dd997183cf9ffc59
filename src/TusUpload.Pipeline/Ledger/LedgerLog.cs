using Microsoft.Extensions.Logging;

namespace TusUpload.Pipeline.Ledger;

/// <summary>Log messages of the ledgers (event ids 4000–4099).</summary>
public static partial class LedgerLog
{
    [LoggerMessage(4000, LogLevel.Information, "Ledger schema at version {Version} in {Database}")]
    public static partial void SchemaReady(ILogger logger, int version, string database);

    [LoggerMessage(4001, LogLevel.Debug, "Upload {UploadId} moved from {From} to {To}")]
    public static partial void Transitioned(ILogger logger, string uploadId, string? from, string to);

    [LoggerMessage(4002, LogLevel.Debug, "Upload {UploadId} is {State}; {Transition} changed nothing")]
    public static partial void TransitionSkipped(ILogger logger, string uploadId, string state, string transition);

    [LoggerMessage(4003, LogLevel.Warning, "Upload {UploadId} failed: {Reason}")]
    public static partial void Failed(ILogger logger, string uploadId, string reason);

    [LoggerMessage(4004, LogLevel.Warning, "Upload {UploadId} quarantined: {Verdict}")]
    public static partial void Quarantined(ILogger logger, string uploadId, string verdict);

    [LoggerMessage(4005, LogLevel.Debug, "Upload {UploadId} is unknown to the ledger; {Transition} changed nothing")]
    public static partial void UnknownUpload(ILogger logger, string uploadId, string transition);

    [LoggerMessage(4006, LogLevel.Information, "Upload {UploadId} was the last reference of blob {Sha256}; deleted")]
    public static partial void BlobDeleted(ILogger logger, string uploadId, string sha256);

    [LoggerMessage(
        4007,
        LogLevel.Error,
        "Upload {UploadId} was the last reference of blob {Sha256}; deleting its data failed and it stays: {Reason}")]
    public static partial void BlobDeleteFailed(ILogger logger, string uploadId, string sha256, string reason);

    [LoggerMessage(
        4008,
        LogLevel.Information,
        "Released {Count} outbox claims left by a previous run on {Database}; their events are published now")]
    public static partial void StaleClaimsReleased(ILogger logger, int count, string database);

    [LoggerMessage(
        4009,
        LogLevel.Error,
        "A ledger transaction shared by {Writes} writes failed; none was kept, each caller gets the error: {Reason}")]
    public static partial void CommitFailed(ILogger logger, int writes, string reason);

    [LoggerMessage(4010, LogLevel.Warning, "Closing the ledger connection after a durable commit failed: {Reason}")]
    public static partial void CloseAfterCommitFailed(ILogger logger, string reason);

    [LoggerMessage(4011, LogLevel.Information, "Pruned {Count} outbox rows sent more than {Retention} ago")]
    public static partial void OutboxPruned(ILogger logger, long count, TimeSpan retention);

    [LoggerMessage(4012, LogLevel.Warning, "Pruning sent outbox rows failed; trying again in {Interval}")]
    public static partial void OutboxPruneFailed(ILogger logger, Exception exception, TimeSpan interval);

    [LoggerMessage(
        4013,
        LogLevel.Warning,
        "The ledger file is locked by another process; {Writes} queued writes fail with the transaction before them")]
    public static partial void QueuedWritesFailed(ILogger logger, int writes);
}
