using System.Data.Common;
using Dapper;

namespace TusUpload.Pipeline.Ledger;

/// <summary>The changes a worker makes: begin processing, settle on a blob or quarantine, or fail.</summary>
public abstract partial class SqlUploadLedger
{
    private static readonly UploadState[] Failable = [UploadState.Received, UploadState.Processing];

    public Task<bool> BeginProcessingAsync(string uploadId, CancellationToken cancellationToken) =>
        WriteAsync(
            async (connection, transaction, cancellationToken) =>
            {
                var (before, changed) = await TransitionAsync(
                    connection,
                    transaction,
                    uploadId,
                    [UploadState.Received],
                    UploadState.Processing,
                    LedgerActors.Worker,
                    null,
                    cancellationToken);

                if (!changed)
                {
                    LogSkipped(uploadId, before, nameof(BeginProcessingAsync));
                }

                return changed || before == UploadState.Processing;
            },
            cancellationToken);

    public Task<ProcessingOutcome> CompleteProcessingAsync(
        string uploadId,
        ContentVerdict verdict,
        Func<string, CancellationToken, Task>? deleteUnreferencedBlob,
        CancellationToken cancellationToken) =>
        WriteAsync(
            async (connection, transaction, cancellationToken) =>
            {
                var before = await ReadStateForUpdateAsync(connection, transaction, uploadId, cancellationToken);
                if (before != UploadState.Processing)
                {
                    LogSkipped(uploadId, before, nameof(CompleteProcessingAsync));
                    if (!verdict.Infected)
                    {
                        await DeleteBlobIfUnreferencedAsync(
                            connection,
                            transaction,
                            verdict,
                            deleteUnreferencedBlob,
                            cancellationToken);
                    }

                    return new ProcessingOutcome(before ?? UploadState.Failed, false);
                }

                var to = verdict.Infected
                    ? UploadState.Quarantined
                    : await AddBlobReferenceAsync(connection, transaction, verdict, cancellationToken);

                var verdictText = LedgerVerdicts.ToText(verdict);
                await connection.ExecuteAsync(new CommandDefinition(
                    """
                    UPDATE ledger_uploads SET state = @to, sha256 = @sha256, verdict = @verdictText, updated_at = @now
                    WHERE id = @uploadId AND state = @processing
                    """,
                    new
                    {
                        uploadId,
                        to = to.ToText(),
                        sha256 = verdict.Sha256,
                        verdictText,
                        now = Now(),
                        processing = UploadState.Processing.ToText(),
                    },
                    transaction,
                    cancellationToken: cancellationToken));

                var reason = to == UploadState.Duplicate ? $"same content as blob {verdict.Sha256}" : verdictText;
                await AppendAuditAsync(
                    connection,
                    transaction,
                    uploadId,
                    UploadState.Processing,
                    to,
                    LedgerActors.Worker,
                    reason,
                    Now(),
                    cancellationToken);

                LogSettled(uploadId, to, verdictText);
                return new ProcessingOutcome(to, true);
            },
            cancellationToken);

    public Task MarkFailedAsync(
        string uploadId,
        string reason,
        ContentVerdict? promoted,
        Func<string, CancellationToken, Task>? deleteUnreferencedBlob,
        CancellationToken cancellationToken) =>
        WriteAsync(
            async (connection, transaction, cancellationToken) =>
            {
                var (before, changed) = await TransitionAsync(
                    connection,
                    transaction,
                    uploadId,
                    Failable,
                    UploadState.Failed,
                    LedgerActors.Worker,
                    reason,
                    cancellationToken);

                if (changed)
                {
                    await connection.ExecuteAsync(new CommandDefinition(
                        "UPDATE ledger_uploads SET failure_reason = @reason WHERE id = @uploadId",
                        new { uploadId, reason },
                        transaction,
                        cancellationToken: cancellationToken));

                    LedgerLog.Failed(Logger, uploadId, reason);
                }
                else
                {
                    LogSkipped(uploadId, before, nameof(MarkFailedAsync));
                }

                // Whatever the upload's state: a blob that an upload points at keeps its count and stays; one that
                // no upload points at was promoted by a delivery that never committed, and nothing would ever
                // point at it now, since the upload no longer commits.
                if (promoted is { Infected: false })
                {
                    await DeleteBlobIfUnreferencedAsync(
                        connection,
                        transaction,
                        promoted,
                        deleteUnreferencedBlob,
                        cancellationToken);
                }

                return changed;
            },
            cancellationToken);

    /// <summary>
    /// The worker promotes clean content before this commit, so an upload terminated in between (or settled by
    /// another delivery) may have left a blob that no upload points at: bytes the user deleted. The upsert takes a
    /// row for the blob, with a count of 0 when there was none, and so holds the lock that a concurrent upload of
    /// the same content waits for at its own upsert (SQLite has one writer anyway); with a count of 0 the row and
    /// the blob go before the commit, as when a termination releases a blob's last reference.
    /// </summary>
    private async Task DeleteBlobIfUnreferencedAsync(
        DbConnection connection,
        DbTransaction transaction,
        ContentVerdict verdict,
        Func<string, CancellationToken, Task>? deleteUnreferencedBlob,
        CancellationToken cancellationToken)
    {
        var count = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            INSERT INTO ledger_blobs (sha256, length, reference_count, created_at)
            VALUES (@Sha256, @Length, 0, @now)
            ON CONFLICT (sha256) DO UPDATE SET reference_count = ledger_blobs.reference_count
            RETURNING reference_count
            """,
            new { verdict.Sha256, verdict.Length, now = Now() },
            transaction,
            cancellationToken: cancellationToken));

        if (count == 0)
        {
            await DeleteUnreferencedBlobAsync(
                connection,
                transaction,
                verdict.Sha256,
                deleteUnreferencedBlob,
                cancellationToken);
        }
    }

    /// <summary>
    /// One upsert makes the blob or counts one more reference to it; the count it returns says which. Counting in the
    /// same statement as the insert is what keeps the count equal to the uploads that point at the blob under races.
    /// </summary>
    private async Task<UploadState> AddBlobReferenceAsync(
        DbConnection connection,
        DbTransaction transaction,
        ContentVerdict verdict,
        CancellationToken cancellationToken)
    {
        var count = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            INSERT INTO ledger_blobs (sha256, length, reference_count, created_at)
            VALUES (@Sha256, @Length, 1, @now)
            ON CONFLICT (sha256) DO UPDATE SET reference_count = ledger_blobs.reference_count + 1
            RETURNING reference_count
            """,
            new { verdict.Sha256, verdict.Length, now = Now() },
            transaction,
            cancellationToken: cancellationToken));

        return count == 1 ? UploadState.Available : UploadState.Duplicate;
    }

    private void LogSettled(string uploadId, UploadState to, string verdictText)
    {
        if (to == UploadState.Quarantined)
        {
            LedgerLog.Quarantined(Logger, uploadId, verdictText);
        }
    }

    private void LogSkipped(string uploadId, UploadState? state, string transition)
    {
        if (state is { } current)
        {
            LedgerLog.TransitionSkipped(Logger, uploadId, current.ToText(), transition);
        }
        else
        {
            LedgerLog.UnknownUpload(Logger, uploadId, transition);
        }
    }
}
