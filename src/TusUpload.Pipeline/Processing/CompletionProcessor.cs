using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TusUpload.ClamAV;
using TusUpload.Pipeline.Ledger;
using TusUpload.Pipeline.Messaging;
using TusUpload.Pipeline.Outbox;
using TusUpload.Protocol.Storage;

namespace TusUpload.Pipeline.Processing;

/// <summary>
/// Turns a received upload into an available, duplicate, quarantined or failed one: reads the stored object once
/// (SHA-256, declared checksum, clamd), promotes clean content to its content-addressed blob, commits the outcome
/// in one ledger transaction, then releases the upload's own data. Every step is idempotent, so a redelivered
/// or concurrently repeated event changes nothing that was already committed.
/// </summary>
public sealed partial class CompletionProcessor(
    IUploadLedger ledger,
    IUploadStore store,
    IBlobStore blobs,
    ClamdClient scanner,
    IOptions<ProcessingOptions> options,
    IOptions<ScanningOptions> scanning,
    IOptions<ClamdOptions> clamd,
    ProcessingMetrics metrics,
    ILogger<CompletionProcessor> logger) : ICompletionConsumer
{
    // A quorum queue with the default RabbitMq:DeliveryLimit of 5 delivers a message at most 6 times.
    private const int DefaultMaxDeliveries = 6;

    private static readonly TimeSpan MaxOutageRetryDelay = TimeSpan.FromSeconds(30);

    // How long a failed step waits for the ledger to record the end of an upload whose data is gone, and how often
    // it looks.
    private static readonly TimeSpan EndRecordWait = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan EndRecordPoll = TimeSpan.FromMilliseconds(50);

    private readonly ProcessingOptions _options = options.Value;
    private readonly bool _scan = scanning.Value.Enabled;
    private readonly long _maxScanLength = clamd.Value.MaxStreamLength;

    public async Task HandleAsync(
        UploadCompletedEvent completed,
        int deliveryCount,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(completed);
        metrics.Consumed();
        var startedAt = Stopwatch.GetTimestamp();
        var uploadId = completed.UploadId;

        // One retry window for the whole delivery, whichever service is down and whichever step found it so, so
        // that a delivery is settled well within RabbitMQ's consumer_timeout.
        var outageDeadline = DateTimeOffset.UtcNow + _options.ScannerRetryWindow;
        var attempt = new DeliveryAttempt();
        try
        {
            // Every step, from the first ledger read on, runs inside the outage handling: the steps are
            // idempotent, so one that met an outage is repeated from the start as a redelivery would.
            await RetryingOutagesAsync(
                uploadId,
                outageDeadline,
                async () =>
                {
                    if (await BeginAsync(uploadId, deliveryCount, cancellationToken))
                    {
                        var state = await ProcessAsync(uploadId, attempt, cancellationToken);
                        metrics.Completed(state, Stopwatch.GetElapsedTime(startedAt).TotalSeconds);
                    }
                },
                cancellationToken);
        }
        catch (Exception ex) when (ex is not (ProcessingDeferredException or OperationCanceledException))
        {
            if (await EndedMeanwhileAsync(uploadId, cancellationToken) is { } ended)
            {
                // A DELETE (or the sweeper) took the data while we read or promoted it: the ledger says so, and
                // there is nothing left to process or to retry.
                logger.EndedWhileProcessed(uploadId, StateName(ended), ex.Message);
                metrics.Completed(StateName(ended), Stopwatch.GetElapsedTime(startedAt).TotalSeconds);
                return;
            }

            metrics.Failure("error");
            logger.AttemptFailed(uploadId, deliveryCount, ex.Message);
            if (deliveryCount >= (_options.MaxDeliveries ?? DefaultMaxDeliveries))
            {
                await GiveUpAsync(uploadId, deliveryCount, ex, attempt, outageDeadline, cancellationToken);
            }

            throw;
        }
    }

    /// <summary>
    /// Runs <paramref name="steps"/>, retrying them with backoff while the scanner, the store or the ledger is
    /// unavailable, until <paramref name="deadline"/>; then throws <see cref="ProcessingDeferredException"/>, which
    /// requeues the message without counting a delivery. Nothing is marked clean or failed meanwhile.
    /// </summary>
    private async Task RetryingOutagesAsync(
        string uploadId,
        DateTimeOffset deadline,
        Func<Task> steps,
        CancellationToken cancellationToken)
    {
        // A first delay configured above 30 s (a minute is allowed) is the ceiling instead of being cut short.
        var first = _options.ScannerRetryDelay;
        var ceiling = first > MaxOutageRetryDelay ? first : MaxOutageRetryDelay;
        for (var failures = 1; ; failures++)
        {
            try
            {
                await steps();
                return;
            }
            catch (Exception ex) when (InfrastructureOutage.CauseOf(ex) is { } cause)
            {
                var service = InfrastructureOutage.Describe(cause);
                var remaining = deadline - DateTimeOffset.UtcNow;
                if (remaining <= TimeSpan.Zero)
                {
                    metrics.Deferred(cause);
                    throw new ProcessingDeferredException($"{service} is unavailable: {ex.Message}", ex);
                }

                // Jittered, so that the workers that met the same outage do not all come back at the same moment.
                var delay = RelayBackoff.Delay(failures, first, ceiling);
                var wait = delay < remaining ? delay : remaining;
                logger.ServiceUnavailable(uploadId, service, Math.Round(wait.TotalSeconds, 3), ex.Message);
                await Task.Delay(wait, cancellationToken);
            }
        }
    }

    // The last delivery the queue makes failed: the queue dead-letters the message after it, and the ledger must
    // say so too. If the ledger is down for the rest of the window, the delivery is deferred instead, so that the
    // message is not dead-lettered with the upload left processing for ever.
    private async Task GiveUpAsync(
        string uploadId,
        int deliveryCount,
        Exception failure,
        DeliveryAttempt attempt,
        DateTimeOffset outageDeadline,
        CancellationToken cancellationToken)
    {
        logger.GaveUp(uploadId, deliveryCount, failure.Message);
        var reason = $"gave up after {deliveryCount} deliveries: {failure.Message}";

        // This delivery may have promoted the content and then failed (its commit, say). A failed upload never
        // commits, so nothing would point at that blob: it goes with the mark unless another upload points at it.
        // Known shortcoming: a blob promoted by an earlier delivery, when this one failed before it knew the
        // content's hash, stays. The mark commits even if the delete fails, since the queue gives this message up
        // after this delivery.
        await RetryingOutagesAsync(
            uploadId,
            outageDeadline,
            () => ledger.MarkFailedAsync(
                uploadId,
                reason,
                attempt.Promoted,
                (sha256, token) => DeleteBlobOrLeaveItAsync(
                    sha256,
                    () => logger.FailedUploadsBlobDeleted(uploadId, sha256),
                    error => logger.FailedUploadsBlobDeleteFailed(uploadId, sha256, error),
                    token),
                cancellationToken),
            cancellationToken);
        metrics.Failure("delivery_limit");
    }

    /// <summary>The upload's end state if it was terminated or expired meanwhile; else (or unknown) null.</summary>
    private async Task<UploadState?> EndedMeanwhileAsync(string uploadId, CancellationToken cancellationToken)
    {
        try
        {
            var started = Stopwatch.GetTimestamp();
            while (true)
            {
                var upload = await ledger.GetAsync(uploadId, cancellationToken);
                if (upload?.State is UploadState.Terminated or UploadState.Expired)
                {
                    return upload.State;
                }

                // A DELETE or the sweeper removes the data first and records the end in the ledger after it: with
                // the data gone, the record is moments away, and waiting for it spares an error and a retry.
                if (Stopwatch.GetElapsedTime(started) > EndRecordWait
                    || await store.GetAsync(uploadId, cancellationToken) is not null)
                {
                    return null;
                }

                await Task.Delay(EndRecordPoll, cancellationToken);
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The ledger or the store cannot say; the failure is handled as one, and the redelivery looks again.
            return null;
        }
    }

    // received → processing; false when the upload is past that (a redelivery) or not ready.
    private async Task<bool> BeginAsync(string uploadId, int deliveryCount, CancellationToken cancellationToken)
    {
        var upload = await ledger.GetAsync(uploadId, cancellationToken);
        if (upload is null)
        {
            throw new InvalidOperationException($"The ledger has no upload {uploadId}.");
        }

        if (upload.State is not (UploadState.Received or UploadState.Processing))
        {
            if (upload is { State: UploadState.Available or UploadState.Duplicate, Sha256: { } sha256 })
            {
                await RepeatStepsAfterCommitAsync(uploadId, sha256, cancellationToken);
            }

            logger.AlreadyProcessed(uploadId, StateName(upload.State), deliveryCount);
            return false;
        }

        if (!await ledger.BeginProcessingAsync(uploadId, cancellationToken))
        {
            logger.NotProcessable(uploadId, StateName(upload.State));
            return false;
        }

        return true;
    }

    private async Task<string> ProcessAsync(
        string uploadId,
        DeliveryAttempt attempt,
        CancellationToken cancellationToken)
    {
        var upload = await store.GetAsync(uploadId, cancellationToken)
            ?? throw new InvalidOperationException($"The store has no data for upload {uploadId}.");
        if (!upload.IsComplete)
        {
            throw new InvalidOperationException($"Upload {uploadId} is not complete in the store.");
        }

        var declared = DeclaredChecksum.FromMetadata(upload.Metadata);
        if (declared.Problem is { } problem)
        {
            return await FailAsync(uploadId, "checksum_unreadable", problem, cancellationToken);
        }

        if (_scan && upload.Length > _maxScanLength)
        {
            // Never served unscanned: content the scanner cannot take whole can never become available.
            return await FailAsync(
                uploadId,
                "too_large_to_scan",
                $"{upload.Length} bytes is more than the scan limit ClamAV:MaxStreamLength ({_maxScanLength})",
                cancellationToken);
        }

        var content = await ReadAsync(upload, cancellationToken);
        if (!content.Infected && declared.Sha256Hex is not null && !declared.Matches(content.Sha256))
        {
            return await FailAsync(
                uploadId,
                "checksum_mismatch",
                $"declared sha256 {declared.Sha256Hex} but the content hashes to {content.Sha256}",
                cancellationToken);
        }

        return await CommitAsync(upload, content, attempt, cancellationToken);
    }

    private async Task<string> CommitAsync(
        UploadInfo upload,
        ContentVerdict content,
        DeliveryAttempt attempt,
        CancellationToken cancellationToken)
    {
        var startedAt = Stopwatch.GetTimestamp();
        metrics.Verdict(!_scan ? "unscanned" : content.Infected ? "infected" : "clean");

        // Infected content never becomes a blob, so nothing can ever serve it.
        if (!content.Infected)
        {
            attempt.Promoted = content;
            await blobs.PromoteAsync(upload, content.Sha256, cancellationToken);
        }

        // The ledger calls back when it finds the upload ended meanwhile and the blob unreferenced. A failed delete
        // does not fail a delivery that has nothing left to do; a retry would not come back here, since the upload
        // is no longer processing.
        var outcome = await ledger.CompleteProcessingAsync(
            upload.Id,
            content,
            (sha256, token) => DeleteBlobOrLeaveItAsync(
                sha256,
                () => logger.UnreferencedBlobDeleted(upload.Id, sha256),
                error => logger.UnreferencedBlobDeleteFailed(upload.Id, sha256, error),
                token),
            cancellationToken);

        // Duplicates and promoted uploads live on in their blob; quarantined data is discarded (ledger keeps the
        // hash and signature). Releasing is idempotent, so a repeat after a crash is harmless.
        if (outcome.State is UploadState.Available or UploadState.Duplicate or UploadState.Quarantined)
        {
            // Promote again (a no-op while the blob exists): a termination may have deleted the blob's last
            // reference and its data between our first promotion and our commit; our data is still here to restore it.
            if (outcome.State is not UploadState.Quarantined)
            {
                await blobs.PromoteAsync(upload, content.Sha256, cancellationToken);
            }

            await blobs.ReleaseUploadDataAsync(upload.Id, cancellationToken);
        }

        var state = StateName(outcome.State);
        if (outcome.State == UploadState.Quarantined)
        {
            logger.Quarantined(upload.Id, content.Signature ?? "unknown");
        }

        var elapsed = Stopwatch.GetElapsedTime(startedAt).TotalMilliseconds;
        logger.Processed(upload.Id, state, content.Sha256, content.Length, elapsed);
        return outcome.Changed ? state : "unchanged";
    }

    /// <summary>
    /// The steps after a commit to available or duplicate, for a redelivery: the delivery that committed may have
    /// died or failed before them (its release of the upload's data failed, say, which left a whole second copy of
    /// the content for good). Both are idempotent; the promotion needs the upload's data, which only the release
    /// takes, and is only tried when the blob is missing (a termination deleted it between that delivery's first
    /// promotion and its commit).
    /// </summary>
    private async Task RepeatStepsAfterCommitAsync(string uploadId, string sha256, CancellationToken cancellationToken)
    {
        if (!await blobs.ExistsAsync(sha256, cancellationToken))
        {
            var upload = await store.GetAsync(uploadId, cancellationToken)
                ?? throw new InvalidOperationException($"The store has no upload {uploadId} to restore its blob from.");
            await blobs.PromoteAsync(upload, sha256, cancellationToken);
        }

        await blobs.ReleaseUploadDataAsync(uploadId, cancellationToken);
    }

    // Runs inside the ledger transaction that found the blob unreferenced. A failed delete leaves the blob behind,
    // as before such blobs were deleted, and lets the transaction commit; the caller's log lines say which case.
    private async Task DeleteBlobOrLeaveItAsync(
        string sha256,
        Action deleted,
        Action<string> failed,
        CancellationToken cancellationToken)
    {
        try
        {
            await blobs.DeleteAsync(sha256, cancellationToken);
            deleted();
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            failed(exception.Message);
        }
    }

    private async Task<string> FailAsync(
        string uploadId,
        string reason,
        string detail,
        CancellationToken cancellationToken)
    {
        logger.Failed(uploadId, detail);
        metrics.Failure(reason);
        await ledger.MarkFailedAsync(uploadId, detail, cancellationToken);
        return "failed";
    }

    private static string StateName(UploadState state) => state.ToString().ToLowerInvariant();
}
