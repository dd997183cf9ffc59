using TusUpload.Pipeline.Ledger;

namespace TusUpload.Pipeline.Messaging;

/// <summary>Publishes outbox rows; returns only after the broker confirmed every one of them.</summary>
public interface IEventPublisher
{
    Task PublishAsync(IReadOnlyList<OutboxMessage> messages, CancellationToken cancellationToken);
}
