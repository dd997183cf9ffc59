using Microsoft.Extensions.Logging;
using TusUpload.Pipeline.Ledger;
using TusUpload.Pipeline.Messaging;
using TusUpload.Pipeline.Outbox;
using TusUpload.Protocol.Lifecycle;
using TusUpload.Protocol.Storage;

namespace TusUpload.Pipeline.Lifecycle;

/// <summary>
/// Turns the protocol's notifications into ledger transitions. Completion writes the "received" state and the
/// outbox row in one transaction, then wakes the relay so the event leaves at once rather than at the next poll.
/// </summary>
public sealed class LedgerUploadLifecycle(
    IUploadLedger ledger,
    IBlobStore blobs,
    OutboxSignal signal,
    TimeProvider time,
    ILogger<LedgerUploadLifecycle> logger) : IUploadLifecycle
{
    public Task CreatedAsync(UploadInfo upload, CancellationToken cancellationToken) =>
        ledger.RecordCreatedAsync(upload.Id, upload.Length, cancellationToken);

    public Task ReceivingAsync(UploadInfo upload, CancellationToken cancellationToken) =>
        ledger.RecordReceivingAsync(upload.Id, cancellationToken);

    public async Task CompletedAsync(UploadInfo upload, CancellationToken cancellationToken)
    {
        var completed = new UploadCompletedEvent(
            upload.Id,
            upload.Length ?? upload.Offset,
            upload.Metadata,
            time.GetUtcNow());

        await ledger.RecordReceivedAsync(completed, cancellationToken);

        signal.Notify();
    }

    public Task TerminatedAsync(string uploadId, CancellationToken cancellationToken) =>
        ledger.RecordTerminatedAsync(
            uploadId,
            (sha256, token) => DeleteBlobAsync(uploadId, sha256, token),
            cancellationToken);

    public Task ExpiredAsync(string uploadId, CancellationToken cancellationToken) =>
        ledger.RecordExpiredAsync(uploadId, cancellationToken);

    public Task AbandonedAsync(string uploadId, CancellationToken cancellationToken) =>
        ledger.RecordAbandonedAsync(uploadId, cancellationToken);

    public async Task<UploadProcessingStatus?> GetStatusAsync(string uploadId, CancellationToken cancellationToken)
    {
        var upload = await ledger.GetAsync(uploadId, cancellationToken);

        return upload is null
            ? null
            : new UploadProcessingStatus(upload.State.ToText(), upload.State.IsDownloadable(), upload.Sha256);
    }

    // Runs inside the ledger transaction that deleted the blob's row (see SqlUploadLedger): the data must be gone
    // before a concurrent upload of the same content can re-create the row. A failed delete leaves the data behind
    // (as before blobs were freed) rather than refusing the client's termination.
    private async Task DeleteBlobAsync(string uploadId, string sha256, CancellationToken cancellationToken)
    {
        try
        {
            await blobs.DeleteAsync(sha256, cancellationToken);
            LedgerLog.BlobDeleted(logger, uploadId, sha256);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LedgerLog.BlobDeleteFailed(logger, uploadId, sha256, exception.Message);
        }
    }
}
