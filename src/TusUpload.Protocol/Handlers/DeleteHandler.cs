using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TusUpload.Protocol.Diagnostics;
using TusUpload.Protocol.Http;
using TusUpload.Protocol.Lifecycle;
using TusUpload.Protocol.Storage;

namespace TusUpload.Protocol.Handlers;

/// <summary>
/// "When receiving a DELETE request for an existing upload the Server SHOULD free associated resources and MUST
/// respond with the 204 No Content status". A PATCH still writing is asked to hand over first.
/// </summary>
public sealed class DeleteHandler(
    UploadWriteAccess access,
    IUploadStore store,
    IUploadLifecycle lifecycle,
    UploadStatusReader statuses,
    TusMetrics metrics,
    IOptions<TusOptions> options,
    ILogger<DeleteHandler> logger)
{
    public async Task HandleAsync(HttpContext context, string uploadId)
    {
        var cancellationToken = context.RequestAborted;

        await using var uploadLock = await access.AcquireAsync(uploadId, cancellationToken);
        UploadInfo? upload;
        try
        {
            upload = await store.GetAsync(uploadId, cancellationToken);
        }
        catch (UploadStoreException exception) when (exception.Error == UploadStoreError.Damaged)
        {
            // Nothing can be read of it, so nothing else can be done with it: freeing it must still work.
            await DeleteAndNotifyAsync(uploadId, expired: false);
            context.Response.StatusCode = StatusCodes.Status204NoContent;
            return;
        }

        if (upload is null)
        {
            // E2: "DELETE → 204" for an expired upload also after the sweeper removed it; nothing is left to free.
            context.Response.StatusCode = await statuses.WasExpiredAsync(uploadId, cancellationToken)
                ? StatusCodes.Status204NoContent
                : throw TusRejection.NotFound();
            return;
        }

        var expired = upload.IsExpired(DateTimeOffset.UtcNow);

        await DeleteAndNotifyAsync(uploadId, expired);

        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    /// <summary>
    /// Once the data starts to go, the deletion and its record finish on a bounded token of their own, not the
    /// request's: a client that hangs up in between left the data gone and the upload still recorded as whatever
    /// it was (available, say), and a retried DELETE finds nothing to free and cannot repeat the record.
    /// </summary>
    private async Task DeleteAndNotifyAsync(string uploadId, bool expired)
    {
        using var timeout = new CancellationTokenSource(options.Value.CommitTimeout);
        using var extension = new CancellationTokenSource();
        var recordToken = timeout.Token;

        try
        {
            await store.DeleteAsync(uploadId, timeout.Token);
        }
        catch (Exception exception) when (exception is UploadStoreException
            || (exception is OperationCanceledException && timeout.IsCancellationRequested))
        {
            // A delete can fail after the upload is already gone (removing the data file or syncing the folder
            // after the upload's state went): the upload ended all the same, and a retry would find nothing, so
            // it is recorded and answered as done. The store logged its failure and what it left behind.
            if (timeout.IsCancellationRequested)
            {
                // The bound ran out with the delete in flight, and it may have gone through all the same (S3
                // removed the info object but its answer never came). The check and the record get a bound of
                // their own, or a spent token would drop them: such a DELETE takes up to twice the bound.
                extension.CancelAfter(options.Value.CommitTimeout);
                recordToken = extension.Token;
            }

            if (!await IsGoneAsync(uploadId, recordToken))
            {
                throw;
            }
        }

        await NotifyAsync(uploadId, expired, recordToken);
    }

    private async Task<bool> IsGoneAsync(string uploadId, CancellationToken cancellationToken)
    {
        try
        {
            return await store.GetAsync(uploadId, cancellationToken) is null;
        }
        catch (UploadStoreException)
        {
            return false;
        }
    }

    private async Task NotifyAsync(string uploadId, bool expired, CancellationToken cancellationToken)
    {
        // The data is gone whatever happens next, so a failed notification is logged, not answered with an error:
        // a retried DELETE would find nothing and could not repeat it.
        try
        {
            if (expired)
            {
                await metrics.TimeLifecycleAsync("expired", () => lifecycle.ExpiredAsync(uploadId, cancellationToken));
                metrics.UploadExpired();
                TusLog.Expired(logger, uploadId);
            }
            else
            {
                await metrics.TimeLifecycleAsync(
                    "terminated",
                    () => lifecycle.TerminatedAsync(uploadId, cancellationToken));
                metrics.UploadTerminated();
                TusLog.Terminated(logger, uploadId);
            }
        }
        catch (Exception exception)
        {
            // A cancellation here is the bounded token's: the record took too long, which is a failure like any other.
            TusLog.NotificationFailed(logger, exception, expired ? "expired" : "terminated", uploadId);
        }
    }
}
