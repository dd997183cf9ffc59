using Dapper;
using TusUpload.Pipeline.Messaging;
using TusUpload.Pipeline.Outbox;

namespace TusUpload.Pipeline.Ledger;

/// <summary>The changes the tus server reports: created, receiving, received, terminated, expired.</summary>
public abstract partial class SqlUploadLedger
{
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
            (connection, transaction) =>
                InsertCreatedAsync(connection, transaction, uploadId, length, null, cancellationToken),
            cancellationToken);

    public Task RecordReceivingAsync(string uploadId, CancellationToken cancellationToken) =>
        WriteAsync(
            (connection, transaction) => TransitionAsync(
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
            async (connection, transaction) =>
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

    public Task RecordTerminatedAsync(string uploadId, CancellationToken cancellationToken) =>
        WriteAsync(
            async (connection, transaction) =>
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

                if (changed && before is { } state && state.IsDownloadable())
                {
                    await ReleaseBlobReferenceAsync(connection, transaction, uploadId, cancellationToken);
                }

                return changed;
            },
            cancellationToken);

    public Task RecordExpiredAsync(string uploadId, CancellationToken cancellationToken) =>
        WriteAsync(
            (connection, transaction) => TransitionAsync(
                connection,
                transaction,
                uploadId,
                Unfinished,
                UploadState.Expired,
                LedgerActors.Server,
                "expired unfinished",
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
    private static Task ReleaseBlobReferenceAsync(
        System.Data.Common.DbConnection connection,
        System.Data.Common.DbTransaction transaction,
        string uploadId,
        CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE ledger_blobs SET reference_count = reference_count - 1
            WHERE sha256 = (SELECT sha256 FROM ledger_uploads WHERE id = @uploadId)
            """,
            new { uploadId },
            transaction,
            cancellationToken: cancellationToken));
}
