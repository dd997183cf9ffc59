using Dapper;
using TusUpload.Pipeline.Messaging;
using TusUpload.Pipeline.Outbox;

namespace TusUpload.Pipeline.Ledger;

/// <summary>The changes the tus server reports: created, receiving, received, terminated, expired.</summary>
public abstract partial class SqlUploadLedger
{
    /// <summary>The audit reason of a creation cut off before its answer: the server ended it, not a client.</summary>
    public const string AbandonedReason = "creation cut off before its answer; no client knows it";

    private static readonly UploadState[] Unfinished = [UploadState.Created, UploadState.Receiving];

    private static readonly UploadState[] Terminable =
    [
        UploadState.Created,
        UploadState.Receiving,
        UploadState.Received,
        UploadState.Processing,
        UploadState.Available,
        UploadState.Duplicate,
        UploadState.Quarantined,
        UploadState.Failed,
    ];

    public Task RecordCreatedAsync(string uploadId, long? length, CancellationToken cancellationToken) =>
        WriteAsync(
            (connection, transaction, cancellationToken) =>
                InsertCreatedAsync(connection, transaction, uploadId, length, null, cancellationToken),
            cancellationToken);

    public Task RecordReceivingAsync(string uploadId, CancellationToken cancellationToken) =>
        WriteAsync(
            (connection, transaction, cancellationToken) => TransitionAsync(
                connection,
                transaction,
                uploadId,
                [UploadState.Created],
                UploadState.Receiving,
                LedgerActors.Server,
                null,
                cancellationToken),
            cancellationToken);

    public Task RecordReceivedAsync(UploadCompletedEvent completed, CancellationToken cancellationToken) =>
        WriteAsync(
            async (connection, transaction, cancellationToken) =>
            {
                // A lost "created" notification must not lose the completion: record the upload first if needed.
                await InsertCreatedAsync(
                    connection,
                    transaction,
                    completed.UploadId,
                    completed.Length,
                    "first seen at completion",
                    cancellationToken);

                var (_, changed) = await TransitionAsync(
                    connection,
                    transaction,
                    completed.UploadId,
                    Unfinished,
                    UploadState.Received,
                    LedgerActors.Server,
                    null,
                    cancellationToken);

                if (changed)
                {
                    await SetLengthAndEnqueueAsync(connection, transaction, completed, cancellationToken);
                }

                return changed;
            },
            cancellationToken);

    public Task<BlobRelease?> RecordTerminatedAsync(
        string uploadId,
        Func<string, CancellationToken, Task>? deleteUnreferencedBlob,
        CancellationToken cancellationToken) =>
        WriteAsync(
            async (connection, transaction, cancellationToken) =>
            {
                var (before, changed) = await TransitionAsync(
                    connection,
                    transaction,
                    uploadId,
                    Terminable,
                    UploadState.Terminated,
                    LedgerActors.Server,
                    "terminated by the client",
                    cancellationToken);

                if (!changed || before is not { } state || !state.IsDownloadable())
                {
                    return null;
                }

                var release = await ReleaseBlobReferenceAsync(connection, transaction, uploadId, cancellationToken);
                if (release is { ReferenceCount: 0 })
                {
                    await DeleteUnreferencedBlobAsync(
                        connection,
                        transaction,
                        release.Sha256,
                        deleteUnreferencedBlob,
                        cancellationToken);
                }

                return release;
            },
            cancellationToken);

    public Task RecordAbandonedAsync(string uploadId, CancellationToken cancellationToken) =>
        EndUnfinishedAsync(uploadId, UploadState.Terminated, AbandonedReason, cancellationToken);

    public Task RecordExpiredAsync(string uploadId, CancellationToken cancellationToken) =>
        EndUnfinishedAsync(uploadId, UploadState.Expired, "expired unfinished", cancellationToken);

    /// <summary>An unfinished upload's end that the server decides (no client asked for it).</summary>
    private Task EndUnfinishedAsync(
        string uploadId,
        UploadState to,
        string reason,
        CancellationToken cancellationToken) =>
        WriteAsync(
            (connection, transaction, cancellationToken) => TransitionAsync(
                connection,
                transaction,
                uploadId,
                Unfinished,
                to,
                LedgerActors.Server,
                reason,
                cancellationToken),
            cancellationToken);

    private async Task SetLengthAndEnqueueAsync(
        System.Data.Common.DbConnection connection,
        System.Data.Common.DbTransaction transaction,
        UploadCompletedEvent completed,
        CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE ledger_uploads SET length = @Length WHERE id = @UploadId",
            new { completed.UploadId, completed.Length },
            transaction,
            cancellationToken: cancellationToken));

        // The unique (upload_id, event_type) key is the last line of defence for "exactly one outbox row".
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO ledger_outbox (upload_id, event_type, payload, created_at)
            VALUES (@uploadId, @eventType, @payload, @now)
            ON CONFLICT (upload_id, event_type) DO NOTHING
            """,
            new
            {
                uploadId = completed.UploadId,
                eventType = CompletedEventPayload.EventType,
                payload = CompletedEventPayload.Serialize(completed),
                now = Now(),
            },
            transaction,
            cancellationToken: cancellationToken));
    }

    /// <summary>A terminated upload no longer points at its blob, so the blob's count drops with it.</summary>
    private static async Task<BlobRelease?> ReleaseBlobReferenceAsync(
        System.Data.Common.DbConnection connection,
        System.Data.Common.DbTransaction transaction,
        string uploadId,
        CancellationToken cancellationToken)
    {
        // The UPDATE locks the blob row (PostgreSQL) until the commit; SQLite writes one transaction at a time.
        var row = await connection.QuerySingleOrDefaultAsync<(string Sha256, long ReferenceCount)?>(
            new CommandDefinition(
                """
                UPDATE ledger_blobs SET reference_count = reference_count - 1
                WHERE sha256 = (SELECT sha256 FROM ledger_uploads WHERE id = @uploadId)
                RETURNING sha256, reference_count
                """,
                new { uploadId },
                transaction,
                cancellationToken: cancellationToken));

        return row is { } released ? new BlobRelease(released.Sha256, released.ReferenceCount) : null;
    }

    /// <summary>
    /// Deletes the row, then the blob's data, both before the commit. An upload of the same content that a worker
    /// is completing right now waits for this transaction at its blob upsert (row lock, or SQLite's single writer),
    /// then inserts a fresh row with count 1 and, finding the data gone, promotes its own data again before
    /// releasing it. Deleting the data after the commit instead would let that upload commit, release its data
    /// and then lose the blob to this delete.
    /// </summary>
    private static async Task DeleteUnreferencedBlobAsync(
        System.Data.Common.DbConnection connection,
        System.Data.Common.DbTransaction transaction,
        string sha256,
        Func<string, CancellationToken, Task>? deleteUnreferencedBlob,
        CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM ledger_blobs WHERE sha256 = @sha256 AND reference_count = 0",
            new { sha256 },
            transaction,
            cancellationToken: cancellationToken));

        if (deleteUnreferencedBlob is not null)
        {
            await deleteUnreferencedBlob(sha256, cancellationToken);
        }
    }
}
