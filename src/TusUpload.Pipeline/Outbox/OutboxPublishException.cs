using TusUpload.Pipeline.Ledger;

namespace TusUpload.Pipeline.Outbox;

/// <summary>A batch the publisher did not confirm; its rows stay unsent and are published again later.</summary>
public sealed class OutboxPublishException(IReadOnlyList<OutboxMessage> batch, Exception innerException)
    : Exception($"Publishing {batch.Count} outbox events failed.", innerException)
{
    public IReadOnlyList<OutboxMessage> Batch { get; } = batch;
}
