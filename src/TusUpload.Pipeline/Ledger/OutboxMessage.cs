namespace TusUpload.Pipeline.Ledger;

/// <summary>An event waiting in the outbox; <paramref name="Payload"/> is the CloudEvents JSON body.</summary>
public sealed record OutboxMessage(
    long Id,
    string UploadId,
    string EventType,
    string Payload,
    DateTimeOffset CreatedAt);
