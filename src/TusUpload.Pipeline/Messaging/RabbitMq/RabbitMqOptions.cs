namespace TusUpload.Pipeline.Messaging.RabbitMq;

/// <summary>Where the broker is and how the upload events are routed; section <c>RabbitMq</c>.</summary>
public sealed class RabbitMqOptions
{
    public const string SectionName = "RabbitMq";

    /// <summary>AMQP URI of the broker. Default: amqp://guest:guest@127.0.0.1:5672/. Never logged whole.</summary>
    public Uri Uri { get; set; } = new("amqp://guest:guest@127.0.0.1:5672/");

    /// <summary>Topic exchange the outbox publishes to. Default: tusupload.events.</summary>
    public string Exchange { get; set; } = "tusupload.events";

    /// <summary>Quorum queue the workers consume from. Default: tusupload.completed.</summary>
    public string Queue { get; set; } = "tusupload.completed";

    /// <summary>Routing key bound to <see cref="Queue"/>. Default: upload.completed.</summary>
    public string RoutingKey { get; set; } = "upload.completed";

    /// <summary>
    /// Times a message may be returned to the queue before the broker dead-letters it (quorum queue
    /// <c>x-delivery-limit</c>); a message is therefore delivered at most DeliveryLimit + 1 times. Default: 5.
    /// </summary>
    public int DeliveryLimit { get; set; } = 5;

    /// <summary>The largest <see cref="DeliveryLimit"/> accepted.</summary>
    public const int MaxDeliveryLimit = 1000;

    /// <summary>Unacknowledged deliveries a consumer holds at once (basic.qos). Default: 8.</summary>
    public ushort Prefetch { get; set; } = 8;

    /// <summary>Exchange that receives dead-lettered messages (fanout). Default: tusupload.dead-letter.</summary>
    public string DeadLetterExchange { get; set; } = "tusupload.dead-letter";

    /// <summary>Queue that keeps dead-lettered messages for an operator. Default: tusupload.dead-letter.</summary>
    public string DeadLetterQueue { get; set; } = "tusupload.dead-letter";

    /// <summary>
    /// Queue where dead letters that must wait for an operator are parked (undecodable, rejected, their upload
    /// settled or failed). Default: tusupload.parked.
    /// </summary>
    public string ParkingQueue { get; set; } = "tusupload.parked";

    /// <summary>The redrive of dead letters whose upload the ledger still shows unfinished.</summary>
    public DeadLetterRedriveOptions Redrive { get; set; } = new();

    /// <summary>Publishes awaited together before the next batch starts (bounds unconfirmed). Default: 128.</summary>
    public int PublishBatchSize { get; set; } = 128;

    /// <summary>Longest wait for one batch of publisher confirms. Default: 30 seconds.</summary>
    public TimeSpan ConfirmTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>First wait before reconnecting to a broker that went away; doubles up to 30 s. Default: 1 s.</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// First wait before a failed delivery is returned to the queue, which counts it and redelivers it at once;
    /// doubles with each delivery up to 30 s, so that an error that passes gets time to. Default: 1 s.
    /// </summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The broker's address without user name or password, for logs.</summary>
    public string DisplayEndpoint =>
        $"{Uri.Scheme}://{Uri.Host}:{(Uri.IsDefaultPort ? 5672 : Uri.Port)}{Uri.AbsolutePath}";

    /// <summary>Throws when a setting is out of range, naming the setting.</summary>
    public void Validate()
    {
        // An empty value binds as null.
        if (Uri is null || !Uri.IsAbsoluteUri || Uri.Scheme is not ("amqp" or "amqps"))
        {
            throw new ArgumentException("RabbitMq:Uri must be an absolute amqp:// or amqps:// URI.", nameof(Uri));
        }

        RequireName(Exchange, nameof(Exchange));
        RequireName(Queue, nameof(Queue));
        RequireName(RoutingKey, nameof(RoutingKey));
        RequireName(DeadLetterExchange, nameof(DeadLetterExchange));
        RequireName(DeadLetterQueue, nameof(DeadLetterQueue));
        RequireName(ParkingQueue, nameof(ParkingQueue));

        if (DeliveryLimit is < 1 or > MaxDeliveryLimit)
        {
            throw new ArgumentOutOfRangeException(
                nameof(DeliveryLimit),
                DeliveryLimit,
                $"RabbitMq:DeliveryLimit must be 1–{MaxDeliveryLimit}.");
        }

        if (Prefetch < 1)
        {
            throw new ArgumentOutOfRangeException(
                nameof(Prefetch),
                Prefetch,
                "RabbitMq:Prefetch must be at least 1.");
        }

        if (PublishBatchSize is < 1 or > 1000)
        {
            throw new ArgumentOutOfRangeException(
                nameof(PublishBatchSize),
                PublishBatchSize,
                "RabbitMq:PublishBatchSize must be 1–1000.");
        }

        RequirePositive(ConfirmTimeout, nameof(ConfirmTimeout));
        RequirePositive(ReconnectDelay, nameof(ReconnectDelay));
        RequirePositive(RetryDelay, nameof(RetryDelay));

        // An empty section binds as null.
        if (Redrive is null)
        {
            throw new ArgumentException("RabbitMq:Redrive must be a section of settings.", nameof(Redrive));
        }

        Redrive.Validate();
    }

    private static void RequireName(string value, string name)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > 255)
        {
            throw new ArgumentException($"RabbitMq:{name} must be a name of 1–255 characters.", name);
        }
    }

    private static void RequirePositive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero || value > TimeSpan.FromHours(1))
        {
            throw new ArgumentOutOfRangeException(
                name,
                value,
                $"RabbitMq:{name} must be positive and at most an hour.");
        }
    }
}
