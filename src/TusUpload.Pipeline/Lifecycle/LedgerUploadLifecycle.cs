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
public sealed class LedgerUploadLifecycle(IUploadLedger ledger, OutboxSignal signal, TimeProvider time)
    : IUploadLifecycle
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
        ledger.RecordTerminatedAsync(uploadId, cancellationToken);

    public Task ExpiredAsync(string uploadId, CancellationToken cancellationToken) =>
        ledger.RecordExpiredAsync(uploadId, cancellationToken);

    public async Task<UploadProcessingStatus?> GetStatusAsync(string uploadId, CancellationToken cancellationToken)
    {
        var upload = await ledger.GetAsync(uploadId, cancellationToken);

        return upload is null
            ? null
            : new UploadProcessingStatus(upload.State.ToText(), upload.State.IsDownloadable(), upload.Sha256);
    }
}
