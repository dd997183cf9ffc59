using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TusUpload.Protocol.Diagnostics;
using TusUpload.Protocol.Http;
using TusUpload.Protocol.Lifecycle;
using TusUpload.Protocol.Storage;

namespace TusUpload.Protocol.Completion;

/// <summary>
/// Turns "the upload reached its length" into exactly one recorded completion. The caller holds the upload's
/// write lock. The lifecycle records the completion idempotently; only then is it marked recorded in the store,
/// so a crash in between leads to a repeat (harmless) rather than a loss.
/// </summary>
public sealed class UploadCompletion(
    IUploadStore store,
    IUploadLifecycle lifecycle,
    IOptions<TusOptions> options,
    TusMetrics metrics,
    ILogger<UploadCompletion> logger)
{
    /// <summary>True when the upload is complete, is not a partial and its completion is not recorded.</summary>
    public static bool IsPending(UploadInfo upload) =>
        upload.IsComplete && !upload.CompletionRecorded && upload.Concat.Kind != UploadConcatKind.Partial;

    /// <summary>Records the completion if pending. Throws when the lifecycle or store fails.</summary>
    public async Task<UploadInfo> EnsureRecordedAsync(UploadInfo upload, CancellationToken cancellationToken)
    {
        if (!IsPending(upload))
        {
            return upload;
        }

        // The content is made whole first: a store that finds bytes lost here (an S3 part overwritten after it was
        // recorded) throws before the ledger and the worker hear of a completion that is not there.
        upload = await store.FinishAsync(upload, cancellationToken);
        await metrics.TimeLifecycleAsync("completed", () => lifecycle.CompletedAsync(upload, cancellationToken));

        var recorded = await store.MarkCompletionRecordedAsync(upload.Id, cancellationToken);

        metrics.UploadCompleted();
        TusLog.Completed(logger, upload.Id, upload.Length ?? 0);
        return recorded;
    }

    /// <summary>
    /// Follows a commit: tells the lifecycle about the first durable bytes and records a completion. The bytes
    /// are durable whatever happens here, so a failed completion answers 503 and the client's retry (a final
    /// empty PATCH) re-attempts it. Runs on its own bounded token: a vanished client must not cut it short.
    /// </summary>
    public async Task<UploadInfo> AfterCommitAsync(UploadInfo before, UploadInfo after)
    {
        using var timeout = new CancellationTokenSource(options.Value.CommitTimeout);

        // An upload whose first bytes also complete it goes straight from created to received; skipping the
        // receiving notice saves one ledger transaction per small upload, the common case in a spike.
        if (before.Offset == 0 && after.Offset > 0 && !after.IsComplete)
        {
            try
            {
                await metrics.TimeLifecycleAsync("receiving", () => lifecycle.ReceivingAsync(after, timeout.Token));
            }
            catch (Exception exception)
            {
                // The token is this bound's, never the client's, so a cancellation is the ledger taking too long:
                // a failure like any other. The bytes are durable; answering 503 would only send the client back to
                // HEAD for them. No completion is pending here, so the spent token is not used again.
                TusLog.NotificationFailed(logger, exception, "receiving", after.Id);
            }
        }

        return await RecordOrRefuseAsync(after, timeout.Token);
    }

    public async Task<UploadInfo> RecordOrRefuseAsync(UploadInfo upload, CancellationToken cancellationToken)
    {
        try
        {
            return await EnsureRecordedAsync(upload, cancellationToken);
        }
        catch (Exception exception) when (exception is not TusRejection
            and not UploadStoreException { Error: UploadStoreError.Rewound })
        {
            // A rewound upload is not stored complete any more: the client must hear where to resume, not "retry".
            TusLog.CompletionFailed(logger, exception, upload.Id);
            throw new TusRejection(503, "The upload is stored but its completion could not be recorded; retry.")
            {
                RetryAfterSeconds = 1,
            };
        }
    }
}
