using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TusUpload.Pipeline.Ledger;
using TusUpload.Pipeline.Outbox;
using TusUpload.Pipeline.Processing;

namespace TusUpload.Pipeline.Messaging.InProcess;

/// <summary>
/// Consumes the in-process queue with a few concurrent loops, as a RabbitMQ consumer would: a failed delivery is
/// retried with backoff, and the last allowed delivery that fails marks the upload failed instead of looping forever.
/// </summary>
public sealed class InProcessCompletionWorker(
    InProcessCompletionQueue queue,
    ICompletionConsumer consumer,
    IUploadLedger ledger,
    IOptions<InProcessWorkerOptions> options,
    TimeProvider time,
    ILogger<InProcessCompletionWorker> logger) : BackgroundService
{
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);

    private readonly InProcessWorkerOptions _options = options.Value;

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        InProcessLog.Started(logger, _options.Concurrency);

        var consumers = new Task[_options.Concurrency];
        for (var i = 0; i < consumers.Length; i++)
        {
            consumers[i] = ConsumeAsync(stoppingToken);
        }

        return Task.WhenAll(consumers);
    }

    private async Task ConsumeAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var delivery in queue.Reader.ReadAllAsync(stoppingToken))
            {
                await HandleAsync(delivery, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown: whatever is still queued stays unsent in the outbox and is published again on the next start.
        }
    }

    private async Task HandleAsync(InProcessDelivery delivery, CancellationToken stoppingToken)
    {
        var uploadId = delivery.Completed.UploadId;
        var maxDeliveries = _options.EffectiveMaxDeliveries;
        var deferrals = 0;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await consumer.HandleAsync(delivery.Completed, attempt, stoppingToken);
                InProcessLog.Handled(logger, uploadId, attempt);
                delivery.Settle();
                return;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                delivery.Abandon(stoppingToken);
                throw;
            }
            catch (ProcessingDeferredException exception)
            {
                // The scanner, the store or the ledger is down: wait for it without using up a delivery, so an
                // outage never fails uploads.
                attempt--;
                deferrals++;
                var delay = RelayBackoff.Delay(deferrals, _options.RetryDelay, MaxRetryDelay);
                InProcessLog.Deferred(logger, exception, uploadId, delay);
                await Task.Delay(delay, time, stoppingToken);
            }
            catch (Exception exception) when (attempt >= maxDeliveries)
            {
                await GiveUpAsync(delivery, exception, attempt, stoppingToken);
                return;
            }
            catch (Exception exception)
            {
                var delay = RelayBackoff.Delay(attempt, _options.RetryDelay, MaxRetryDelay);
                InProcessLog.Retrying(logger, exception, uploadId, attempt, maxDeliveries, delay);
                await Task.Delay(delay, time, stoppingToken);
            }
        }
    }

    private async Task GiveUpAsync(
        InProcessDelivery delivery,
        Exception exception,
        int attempts,
        CancellationToken stoppingToken)
    {
        var uploadId = delivery.Completed.UploadId;
        try
        {
            var reason = $"processing failed {attempts} times: {exception.GetType().Name}: {exception.Message}";
            await ledger.MarkFailedAsync(uploadId, reason, stoppingToken);
            InProcessLog.GaveUp(logger, exception, uploadId, attempts);
            delivery.Settle();
        }
        catch (Exception markException) when (markException is not OperationCanceledException)
        {
            // Without the failed mark the event must not count as handled: the outbox row stays and comes back.
            InProcessLog.MarkFailedFailed(logger, markException, uploadId);
            delivery.Abandon(CancellationToken.None);
        }
    }
}
