using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TusUpload.Pipeline.Ledger;
using TusUpload.Pipeline.Messaging;
using TusUpload.Pipeline.Processing;

namespace TusUpload.Pipeline.Outbox;

/// <summary>
/// Moves outbox rows to the queue: claim a batch (leased, so many relays can share one outbox), publish it, and
/// mark it sent only once the publisher returned, which it does after the broker's confirm. A failed publish gives
/// the claim back and waits with exponential backoff and jitter, so a broker outage costs retries, never events.
/// </summary>
public sealed class OutboxRelay(
    IUploadLedger ledger,
    IEventPublisher publisher,
    OutboxSignal signal,
    OutboxMetrics metrics,
    IOptions<PipelineOptions> options,
    TimeProvider time,
    ILogger<OutboxRelay> logger) : BackgroundService
{
    private static readonly TimeSpan ReleaseTimeout = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan MarkSentRetryDelay = TimeSpan.FromMilliseconds(200);

    private const int MarkSentAttempts = 3;

    private readonly PipelineOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        OutboxLog.Started(logger, _options.OutboxBatchSize, _options.OutboxPollInterval);

        var failures = 0;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                // This pass answers any wake-up already pending, so only a completion committed from now on can
                // cut a backoff after it short.
                signal.Discard();

                int published;
                try
                {
                    published = await RelayBatchAsync(stoppingToken);
                }
                catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
                {
                    failures++;
                    await BackOffAsync(exception, failures, stoppingToken);
                    continue;
                }

                // A pass that got here worked, whether or not it found rows: the ledger answered, and the broker
                // confirmed whatever there was. So the next failure is a new outage and starts from the first
                // backoff, not from the long one a ledger outage grew before an empty outbox.
                if (failures > 0)
                {
                    OutboxLog.Recovered(logger, failures, published);
                    failures = 0;
                }

                if (published < _options.OutboxBatchSize)
                {
                    await signal.WaitAsync(_options.OutboxPollInterval, stoppingToken);
                }
            }
        }
        catch (Exception) when (stoppingToken.IsCancellationRequested)
        {
            // A stop, also one while the host is still starting (its address taken), is not a failure of the
            // service, which is how the host would report an exception leaving here. A publish it cut short arrives
            // wrapped, not as a cancellation; that batch's claim was given back and its rows go out after the next
            // start.
        }
    }

    /// <summary>Relays one batch; returns how many events were published (0 when the outbox had none).</summary>
    public async Task<int> RelayBatchAsync(CancellationToken cancellationToken)
    {
        var batch = await ledger.ClaimOutboxAsync(_options.OutboxBatchSize, cancellationToken);
        if (batch.Count == 0)
        {
            metrics.Backlog(await ledger.CountUnsentOutboxAsync(cancellationToken));
            return 0;
        }

        var ids = batch.Select(message => message.Id).ToList();
        var started = time.GetTimestamp();
        try
        {
            await publisher.PublishAsync(batch, cancellationToken);
        }
        catch (Exception exception)
        {
            await ReleaseAsync(ids, exception);
            await RecountBacklogAsync(batch.Count, cancellationToken);
            throw new OutboxPublishException(batch, exception);
        }

        // Crashing here republishes the batch once the lease ends: at-least-once, which consumers absorb because
        // every event carries the upload id and every ledger transition is conditional.
        await MarkSentAsync(batch, ids, cancellationToken);

        metrics.Published(batch.Count, time.GetElapsedTime(started));
        foreach (var message in batch)
        {
            OutboxLog.Published(logger, message.UploadId, message.Id);
        }

        metrics.Backlog(await ledger.CountUnsentOutboxAsync(cancellationToken));
        return batch.Count;
    }

    /// <summary>
    /// Records a published batch as sent, trying again a few times: the events are out, and a ledger that was
    /// briefly busy (SQLite locked by a separate worker) should not leave them to be republished after the lease.
    /// </summary>
    private async Task MarkSentAsync(IReadOnlyList<OutboxMessage> batch, List<long> ids, CancellationToken token)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await ledger.MarkOutboxSentAsync(ids, token);
                return;
            }
            catch (Exception exception) when (attempt < MarkSentAttempts && exception is not OperationCanceledException)
            {
                OutboxLog.MarkSentRetried(logger, exception, batch.Count, attempt, batch[0].UploadId);
                await Task.Delay(MarkSentRetryDelay, time, token);
            }
        }
    }

    private async Task ReleaseAsync(List<long> ids, Exception cause)
    {
        // The claim is given back even when shutdown cancelled the publish, so that another instance takes the rows
        // now rather than after the lease; if even that fails, the lease ending frees them.
        using var timeout = new CancellationTokenSource(ReleaseTimeout);
        try
        {
            await ledger.ReleaseOutboxClaimAsync(ids, timeout.Token);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            OutboxLog.LedgerFailed(logger, new AggregateException(cause, exception), TimeSpan.Zero);
        }
    }

    /// <summary>
    /// Sets the backlog gauge after a failed publish: a broker outage is when the backlog grows, and counting only
    /// after a successful publish left the gauge at its last value (0) for the whole outage. When the ledger cannot
    /// count either, the rows this pass claimed are the best known floor.
    /// </summary>
    private async Task RecountBacklogAsync(int claimed, CancellationToken cancellationToken)
    {
        try
        {
            metrics.Backlog(await ledger.CountUnsentOutboxAsync(cancellationToken));
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // The next pass reports a ledger that stays down; this count is not worth a line of its own.
            metrics.Backlog(claimed);
        }
    }

    private async Task BackOffAsync(Exception exception, int failures, CancellationToken cancellationToken)
    {
        var delay = RelayBackoff.Delay(failures, _options.RelayInitialBackoff, _options.RelayMaxBackoff);

        if (exception is OutboxPublishException publish)
        {
            metrics.PublishFailed();
            OutboxLog.PublishFailed(
                logger,
                publish.InnerException ?? publish,
                publish.Batch.Count,
                failures,
                delay,
                publish.Batch[0].UploadId);
        }
        else if (InfrastructureOutage.CauseOf(exception) == InfrastructureOutage.Ledger)
        {
            OutboxLog.LedgerUnavailable(logger, delay, HostSettings.FirstLine(exception.Message));
            await WaitForLedgerAsync(delay, cancellationToken);
            return;
        }
        else
        {
            OutboxLog.LedgerFailed(logger, exception, delay);
            await WaitForLedgerAsync(delay, cancellationToken);
            return;
        }

        // A completion says nothing about the broker, so it does not end this wait: in a broker outage with
        // uploads still arriving, every completion would otherwise send the relay back to a broker that is down.
        await Task.Delay(delay, time, cancellationToken);
    }

    /// <summary>
    /// Waits out the backoff after a ledger failure, or less: a completion that committed meanwhile (it notifies
    /// the signal after its commit) proves the ledger takes writes again, and its event should not wait for the
    /// rest of a backoff that may have grown to <c>Pipeline:RelayMaxBackoff</c>. With nothing committed the whole
    /// backoff is waited, so an outage is still retried at the backoff's pace.
    /// </summary>
    private async Task WaitForLedgerAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        using var race = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var backoff = Task.Delay(delay, time, race.Token);
        var completion = signal.WaitAsync(Timeout.InfiniteTimeSpan, race.Token);

        var first = await Task.WhenAny(backoff, completion);
        await race.CancelAsync();
        await Task.WhenAll(backoff, completion).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

        cancellationToken.ThrowIfCancellationRequested();
        if (first == completion)
        {
            OutboxLog.BackoffEndedByCompletion(logger);
        }
    }
}
