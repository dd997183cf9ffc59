using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TusUpload.Protocol.Diagnostics;
using TusUpload.Protocol.Http;
using TusUpload.Protocol.Storage;

namespace TusUpload.Protocol.Lifecycle;

/// <summary>
/// Frees an upload's data and records its end (terminated by a DELETE, or expired) as one step. Once the data
/// starts to go, the deletion and its record finish on a bound of their own (<see cref="TusOptions.CommitTimeout"/>),
/// not on the caller's token: a client that hung up or a sweep stopped by a shutdown in between left the data gone
/// and the upload still recorded as whatever it was (receiving, say), and nothing could repeat the record later,
/// since neither a retried DELETE nor the next sweep finds the upload any more. A record that fails all the same is
/// answered with a retryable 503, never with success: an expiry is then not removed at all (the next sweep or DELETE
/// repeats both), and a termination whose data went is recorded by the retried DELETE
/// (<see cref="RecordTerminationAsync"/>). The caller holds the write lock.
/// </summary>
public sealed class UploadRemoval(
    IUploadStore store,
    IUploadLifecycle lifecycle,
    TusMetrics metrics,
    IOptions<TusOptions> options,
    ILogger<UploadRemoval> logger)
{
    /// <summary>Removes the upload and records its termination.</summary>
    /// <exception cref="UploadStoreException">The store failed while the upload still exists.</exception>
    /// <exception cref="OperationCanceledException">The store outran the bound; the upload still exists.</exception>
    public Task TerminateAsync(string uploadId) => RemoveAsync(uploadId, expired: false);

    /// <summary>Removes the upload and records its expiry; fails like <see cref="TerminateAsync"/>.</summary>
    public Task ExpireAsync(string uploadId) => RemoveAsync(uploadId, expired: true);

    /// <summary>
    /// Removes an unfinished upload whose creation (a POST with a body) ended without an answer, the client gone or
    /// silent: no client ever received its URL, so nobody could resume, find or delete it, and it would only wait for
    /// its expiry (for ever with <see cref="TusOptions.Expiry"/> zero). Recorded as terminated by the server.
    /// Nobody is there to answer, so a failure is logged, not thrown: the upload then stays until the sweeper expires
    /// it, as every such upload did before.
    /// </summary>
    public async Task AbandonAsync(string uploadId)
    {
        using var timeout = new CancellationTokenSource(options.Value.CommitTimeout);
        try
        {
            // Recorded before the data goes, as an expiry is: a record that fails leaves the upload whole for the
            // sweeper, and a deletion that fails after it leaves files whose expiry the sweeper records and removes
            // (that record then changes nothing). The other order could leave the ledger counting as live, for
            // ever, an upload whose data is gone, since no client will send the DELETE that would record its end.
            await metrics.TimeLifecycleAsync("abandoned", () => lifecycle.AbandonedAsync(uploadId, timeout.Token));
            await store.DeleteAsync(uploadId, timeout.Token);
        }
        catch (Exception exception)
        {
            TusLog.AbandonedNotRemoved(logger, exception, uploadId);
            return;
        }

        metrics.UploadTerminated();
        TusLog.Abandoned(logger, uploadId);
    }

    /// <summary>
    /// Removes the data of an upload the lifecycle could not register: its creation is refused with a 503 that
    /// carries no URL, so nobody could resume, find or delete it, and it would only wait for its expiry (for ever
    /// with <see cref="TusOptions.Expiry"/> zero). Nothing is recorded, since the lifecycle has just failed and has
    /// most likely never heard of the upload. Known shortcoming: a registration that was recorded and failed only
    /// afterwards (its answer lost) leaves the ledger counting as created an upload with no data, under an id that
    /// no client received. A failure here is logged, not thrown, so that the client gets the registration's 503;
    /// the upload then stays until the sweeper expires it, as every such upload did before.
    /// </summary>
    public async Task DiscardUnregisteredAsync(string uploadId)
    {
        using var timeout = new CancellationTokenSource(options.Value.CommitTimeout);
        try
        {
            await store.DeleteAsync(uploadId, timeout.Token);
        }
        catch (Exception exception)
        {
            TusLog.UnregisteredNotRemoved(logger, exception, uploadId);
            return;
        }

        metrics.UploadTerminated();
        TusLog.UnregisteredRemoved(logger, uploadId);
    }

    /// <summary>
    /// Records the termination of an upload whose data is gone while the lifecycle still counts it as live: an
    /// earlier DELETE removed the data and could not record its end, and answered 503 so that it is retried.
    /// </summary>
    /// <exception cref="TusRejection">503: the record failed again.</exception>
    public async Task RecordTerminationAsync(string uploadId)
    {
        using var timeout = new CancellationTokenSource(options.Value.CommitTimeout);
        if (!await RecordAsync(uploadId, expired: false, timeout.Token))
        {
            throw EndNotRecorded(expired: false);
        }

        metrics.UploadTerminated();
        TusLog.Terminated(logger, uploadId);
    }

    private async Task RemoveAsync(string uploadId, bool expired)
    {
        var bound = options.Value.CommitTimeout;
        using var timeout = new CancellationTokenSource(bound);
        if (expired)
        {
            // An expiry is recorded before the data goes: a HEAD between the two found neither the upload nor its
            // end and answered 404 instead of 410. Recorded early it is true all the same (the upload is past its
            // expiry whether or not its data is gone yet), and a removal that fails now is repeated by the next
            // sweep or DELETE, whose record then changes nothing.
            if (!await RecordAsync(uploadId, expired, timeout.Token))
            {
                throw EndNotRecorded(expired);
            }
        }

        CancellationTokenSource? extension = null;
        try
        {
            var recordToken = timeout.Token;
            try
            {
                await store.DeleteAsync(uploadId, timeout.Token);
            }
            catch (Exception exception) when (exception is UploadStoreException
                || (exception is OperationCanceledException && timeout.IsCancellationRequested))
            {
                // A delete can fail after the upload is already gone (removing the data file or syncing the folder
                // after the upload's state went): the upload ended all the same, and nothing would find it again,
                // so the end is recorded. The store logged its failure and what it left behind.
                if (timeout.IsCancellationRequested)
                {
                    // The bound ran out with the delete in flight, and it may have gone through all the same (S3
                    // removed the info object but its answer never came). The check and the record get a bound of
                    // their own, or a spent token would drop them: such a removal takes up to twice the bound.
                    extension = new CancellationTokenSource(bound);
                    recordToken = extension.Token;
                }

                if (!await IsGoneAsync(uploadId, recordToken))
                {
                    throw;
                }
            }

            if (!expired && !await RecordAsync(uploadId, expired, recordToken))
            {
                throw EndNotRecorded(expired);
            }
        }
        finally
        {
            extension?.Dispose();
        }

        // Counted and logged once the data is gone too, so the line means what it says.
        if (expired)
        {
            metrics.UploadExpired();
            TusLog.Expired(logger, uploadId);
        }
        else
        {
            metrics.UploadTerminated();
            TusLog.Terminated(logger, uploadId);
        }
    }

    private static TusRejection EndNotRecorded(bool expired) => new(
        503,
        expired
            ? "The upload's expiry could not be recorded, so nothing was removed; retry."
            : "The upload's data is gone but its termination could not be recorded; retry the DELETE.")
    {
        RetryAfterSeconds = 1,
    };

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

    /// <summary>Records the upload's end; false, logged, when the record failed.</summary>
    private async Task<bool> RecordAsync(string uploadId, bool expired, CancellationToken cancellationToken)
    {
        // Logged here and answered by the caller (503): a retried DELETE or the next sweep repeats the record.
        try
        {
            if (expired)
            {
                await metrics.TimeLifecycleAsync("expired", () => lifecycle.ExpiredAsync(uploadId, cancellationToken));
            }
            else
            {
                await metrics.TimeLifecycleAsync(
                    "terminated",
                    () => lifecycle.TerminatedAsync(uploadId, cancellationToken));
            }

            return true;
        }
        catch (Exception exception)
        {
            // A cancellation here is the bound's: the record took too long, which is a failure like any other.
            TusLog.NotificationFailed(logger, exception, expired ? "expired" : "terminated", uploadId);
            return false;
        }
    }
}
