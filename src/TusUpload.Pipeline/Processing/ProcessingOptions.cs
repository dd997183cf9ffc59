namespace TusUpload.Pipeline.Processing;

/// <summary>How a worker processes completed uploads; section <c>Worker</c>.</summary>
public sealed class ProcessingOptions
{
    public const string SectionName = "Worker";

    /// <summary>
    /// The delivery on which an upload whose processing keeps failing is marked failed before its message is
    /// dead-lettered. Default: RabbitMq:DeliveryLimit + 1 (the last delivery a quorum queue makes), i.e. 6.
    /// </summary>
    public int? MaxDeliveries { get; set; }

    /// <summary>
    /// How long one delivery keeps retrying an unreachable scanner before it is deferred (requeued without
    /// using up the delivery limit). Default: 2 minutes.
    /// </summary>
    public TimeSpan ScannerRetryWindow { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>First wait between scanner retries; doubles up to 30 s. Default: 1 second.</summary>
    public TimeSpan ScannerRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Bytes read from the store per step (pooled, one per upload in progress). Default: 128 KiB.</summary>
    public int ReadBufferSize { get; set; } = 128 * 1024;

    /// <summary>Throws when a setting is out of range, naming the setting.</summary>
    public void Validate()
    {
        if (MaxDeliveries is < 1)
        {
            throw new ArgumentOutOfRangeException(
                nameof(MaxDeliveries),
                MaxDeliveries,
                "Worker:MaxDeliveries must be at least 1.");
        }

        if (ScannerRetryWindow < TimeSpan.Zero || ScannerRetryWindow > TimeSpan.FromMinutes(25))
        {
            // RabbitMQ closes a channel whose delivery stays unacknowledged for 30 minutes (consumer_timeout).
            throw new ArgumentOutOfRangeException(
                nameof(ScannerRetryWindow),
                ScannerRetryWindow,
                "Worker:ScannerRetryWindow must be between 0 and 25 minutes.");
        }

        if (ScannerRetryDelay <= TimeSpan.Zero || ScannerRetryDelay > TimeSpan.FromMinutes(1))
        {
            throw new ArgumentOutOfRangeException(
                nameof(ScannerRetryDelay),
                ScannerRetryDelay,
                "Worker:ScannerRetryDelay must be positive and at most a minute.");
        }

        if (ReadBufferSize is < 4096 or > 16 * 1024 * 1024)
        {
            throw new ArgumentOutOfRangeException(
                nameof(ReadBufferSize),
                ReadBufferSize,
                "Worker:ReadBufferSize must be 4 KiB–16 MiB.");
        }
    }
}
