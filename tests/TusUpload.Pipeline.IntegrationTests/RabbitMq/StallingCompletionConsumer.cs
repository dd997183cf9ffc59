using System.Collections.Concurrent;
using TusUpload.Pipeline.Messaging;

namespace TusUpload.Pipeline.IntegrationTests.RabbitMq;

/// <summary>
/// A completion handler that stands in for a processor waiting on a service that stays down: every delivery it
/// takes runs until it is cancelled, as the processor's in-delivery retries do, unless it was told to finish.
/// </summary>
internal sealed class StallingCompletionConsumer : ICompletionConsumer
{
    private volatile bool _finish;

    public ConcurrentQueue<(string UploadId, int DeliveryCount)> Deliveries { get; } = new();

    public ConcurrentQueue<string> Finished { get; } = new();

    /// <summary>Deliveries from now on return at once: the outage is over.</summary>
    public void FinishFromNowOn() => _finish = true;

    public async Task HandleAsync(
        UploadCompletedEvent completed,
        int deliveryCount,
        CancellationToken cancellationToken)
    {
        Deliveries.Enqueue((completed.UploadId, deliveryCount));
        if (!_finish)
        {
            // Bounded even if nothing cancels it, so a broken consumer fails the test instead of hanging it.
            await Task.Delay(TimeSpan.FromMinutes(2), cancellationToken);
        }

        Finished.Enqueue(completed.UploadId);
    }
}
