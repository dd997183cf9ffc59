using Microsoft.Extensions.Logging;
using TusUpload.Pipeline.Ledger;
using TusUpload.Pipeline.Outbox;

namespace TusUpload.Pipeline.Messaging.InProcess;

/// <summary>
/// Publishes to the in-process queue. Memory is no broker: an event handed to a channel would die with the process.
/// So the "confirm" here is the worker's commit: the call returns once every event of the batch was processed (or
/// marked failed), and only then does the relay mark the rows sent. A crash before that republishes the batch.
/// </summary>
public sealed class InProcessEventPublisher(InProcessCompletionQueue queue, ILogger<InProcessEventPublisher> logger)
    : IEventPublisher
{
    public async Task PublishAsync(IReadOnlyList<OutboxMessage> messages, CancellationToken cancellationToken)
    {
        var deliveries = new List<Task>(messages.Count);
        foreach (var message in messages)
        {
            if (!TryDecode(message, out var completed))
            {
                continue;
            }

            var delivery = new InProcessDelivery(completed);
            await queue.EnqueueAsync(delivery, cancellationToken);
            deliveries.Add(delivery.Settled);
        }

        await Task.WhenAll(deliveries).WaitAsync(cancellationToken);
    }

    // A row no worker can read would block the outbox forever; like a broker's dead-letter queue, it is logged and
    // let go. Only a bug of ours writes such a row.
    private bool TryDecode(OutboxMessage message, out UploadCompletedEvent completed)
    {
        try
        {
            completed = CompletedEventPayload.Deserialize(message.Payload);
            return true;
        }
        catch (Exception exception) when (exception is FormatException or System.Text.Json.JsonException
                                              or ArgumentException)
        {
            InProcessLog.Undecodable(logger, exception, message.UploadId, message.Id);
            completed = null!;
            return false;
        }
    }
}
