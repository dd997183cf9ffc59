using System.Collections.Concurrent;
using TusUpload.Pipeline.Messaging;

namespace TusUpload.Pipeline.IntegrationTests.RabbitMq;

/// <summary>
/// A completion handler for queue tests: records every delivery and lets the test choose what it does. It stands
/// in for our own processor (not for a service), so the broker under test stays real.
/// </summary>
internal sealed class RecordingCompletionConsumer(Func<UploadCompletedEvent, int, Task>? behaviour = null)
    : ICompletionConsumer
{
    public ConcurrentQueue<(string UploadId, int DeliveryCount)> Deliveries { get; } = new();

    public int CountFor(string uploadId) => Deliveries.Count(delivery => delivery.UploadId == uploadId);

    public async Task HandleAsync(
        UploadCompletedEvent completed,
        int deliveryCount,
        CancellationToken cancellationToken)
    {
        Deliveries.Enqueue((completed.UploadId, deliveryCount));
        if (behaviour is not null)
        {
            await behaviour(completed, deliveryCount);
        }
    }
}
