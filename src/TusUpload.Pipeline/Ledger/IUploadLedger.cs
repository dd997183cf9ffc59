using TusUpload.Pipeline.Messaging;

namespace TusUpload.Pipeline.Ledger;

/// <summary>
/// Durable upload lifecycle, blobs with reference counts, audit trail and outbox. Every state change is one
/// conditional update (<c>WHERE id = @id AND state IN (@expected)</c>) in a transaction that also appends an audit
/// event and, where needed, an outbox row; a change that finds another state is a no-op, so repeats are harmless.
/// </summary>
public interface IUploadLedger
{
    Task RecordCreatedAsync(string uploadId, long? length, CancellationToken cancellationToken);

    Task RecordReceivingAsync(string uploadId, CancellationToken cancellationToken);

    /// <summary>
    /// created|receiving → received, plus exactly one "upload completed" outbox row, in one transaction.
    /// </summary>
    /// <remarks>The event carries the client's metadata so that other subscribers of the exchange see it too.</remarks>
    Task RecordReceivedAsync(UploadCompletedEvent completed, CancellationToken cancellationToken);

    /// <summary>
    /// As <see cref="RecordReceivedAsync(UploadCompletedEvent, CancellationToken)"/>, without metadata.
    /// </summary>
    Task RecordReceivedAsync(string uploadId, long length, CancellationToken cancellationToken) =>
        RecordReceivedAsync(new UploadCompletedEvent(uploadId, length, null, DateTimeOffset.UtcNow), cancellationToken);

    /// <summary>Any but terminated|expired → terminated; the released blob if the upload held a reference.</summary>
    Task<BlobRelease?> RecordTerminatedAsync(string uploadId, CancellationToken cancellationToken) =>
        RecordTerminatedAsync(uploadId, null, cancellationToken);

    /// <summary>
    /// As <see cref="RecordTerminatedAsync(string, CancellationToken)"/>; when the blob's count reaches 0 its row is
    /// deleted and <paramref name="deleteUnreferencedBlob"/> runs inside the transaction, before the commit.
    /// </summary>
    Task<BlobRelease?> RecordTerminatedAsync(
        string uploadId,
        Func<string, CancellationToken, Task>? deleteUnreferencedBlob,
        CancellationToken cancellationToken);

    /// <summary>
    /// created|receiving → terminated, by the server: the creation was cut off before its answer was sent, so no
    /// client knows the upload. Never touches an upload that got further; the audit row says why.
    /// </summary>
    Task RecordAbandonedAsync(string uploadId, CancellationToken cancellationToken);

    Task RecordExpiredAsync(string uploadId, CancellationToken cancellationToken);

    Task<LedgerUpload?> GetAsync(string uploadId, CancellationToken cancellationToken);

    /// <summary>received → processing; true if the upload is now processing (also when it already was).</summary>
    Task<bool> BeginProcessingAsync(string uploadId, CancellationToken cancellationToken);

    /// <summary>
    /// processing → available (new blob, reference count 1), duplicate (existing blob, count + 1) or quarantined,
    /// with the blob row, the audit event and the state change in one transaction.
    /// </summary>
    Task<ProcessingOutcome> CompleteProcessingAsync(
        string uploadId,
        ContentVerdict verdict,
        CancellationToken cancellationToken) =>
        CompleteProcessingAsync(uploadId, verdict, null, cancellationToken);

    /// <summary>
    /// As <see cref="CompleteProcessingAsync(string, ContentVerdict, CancellationToken)"/>; when the upload is no
    /// longer processing (terminated, say, after the worker promoted its clean content) and no upload points at the
    /// verdict's blob, <paramref name="deleteUnreferencedBlob"/> deletes that blob inside the transaction.
    /// </summary>
    Task<ProcessingOutcome> CompleteProcessingAsync(
        string uploadId,
        ContentVerdict verdict,
        Func<string, CancellationToken, Task>? deleteUnreferencedBlob,
        CancellationToken cancellationToken);

    /// <summary>received|processing → failed with a reason; visible and alertable.</summary>
    Task MarkFailedAsync(string uploadId, string reason, CancellationToken cancellationToken) =>
        MarkFailedAsync(uploadId, reason, null, null, cancellationToken);

    /// <summary>
    /// As <see cref="MarkFailedAsync(string, string, CancellationToken)"/>, for an upload whose clean content the
    /// failing delivery promoted, or began to (<paramref name="promoted"/>): when no upload points at that blob,
    /// its row is dropped and <paramref name="deleteUnreferencedBlob"/> deletes it inside the transaction, so an
    /// upload that ends failed leaves no blob that nothing would ever point at.
    /// </summary>
    Task MarkFailedAsync(
        string uploadId,
        string reason,
        ContentVerdict? promoted,
        Func<string, CancellationToken, Task>? deleteUnreferencedBlob,
        CancellationToken cancellationToken);

    /// <summary>Claims up to <paramref name="max"/> unsent outbox rows, skipping rows another relay holds.</summary>
    Task<IReadOnlyList<OutboxMessage>> ClaimOutboxAsync(int max, CancellationToken cancellationToken);

    /// <summary>Marks rows sent; called only after the broker confirmed them.</summary>
    Task MarkOutboxSentAsync(IReadOnlyList<long> outboxIds, CancellationToken cancellationToken);

    /// <summary>
    /// Gives claimed rows back at once (their publish failed), so that a retry need not wait for the lease.
    /// </summary>
    Task ReleaseOutboxClaimAsync(IReadOnlyList<long> outboxIds, CancellationToken cancellationToken);

    /// <summary>Blob reference count, or null when no blob has that hash.</summary>
    Task<long?> GetBlobReferenceCountAsync(string sha256, CancellationToken cancellationToken);

    /// <summary>The upload's audit trail, oldest first.</summary>
    Task<IReadOnlyList<AuditEvent>> GetAuditTrailAsync(string uploadId, CancellationToken cancellationToken);

    /// <summary>Outbox rows not yet marked sent (claimed or not): the relay's backlog.</summary>
    Task<long> CountUnsentOutboxAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Deletes outbox rows marked sent before <paramref name="sentBefore"/>, at most <paramref name="batchSize"/> per
    /// transaction, until none is left; returns how many it deleted. Unsent rows, however old, are never touched.
    /// </summary>
    Task<long> PruneSentOutboxAsync(DateTimeOffset sentBefore, int batchSize, CancellationToken cancellationToken);
}
