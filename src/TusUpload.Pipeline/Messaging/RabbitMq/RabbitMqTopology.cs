using RabbitMQ.Client;

namespace TusUpload.Pipeline.Messaging.RabbitMq;

/// <summary>
/// Declares the exchanges, queues and bindings the pipeline needs. Every declaration is idempotent, so each
/// publisher and consumer runs it whenever it connects; a declaration that differs from an existing one fails
/// loudly (PRECONDITION_FAILED) instead of silently running with other settings.
/// </summary>
public static class RabbitMqTopology
{
    public static async Task DeclareAsync(
        IChannel channel,
        RabbitMqOptions options,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(options);

        await channel.ExchangeDeclareAsync(
            options.Exchange,
            ExchangeType.Topic,
            durable: true,
            autoDelete: false,
            arguments: null,
            cancellationToken: cancellationToken);

        // Fanout: whatever the original routing key, every dead letter ends in the one dead-letter queue.
        await channel.ExchangeDeclareAsync(
            options.DeadLetterExchange,
            ExchangeType.Fanout,
            durable: true,
            autoDelete: false,
            arguments: null,
            cancellationToken: cancellationToken);

        await channel.QueueDeclareAsync(
            options.DeadLetterQueue,
            durable: true,
            exclusive: false,
            autoDelete: false,
            arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" },
            cancellationToken: cancellationToken);

        await channel.QueueBindAsync(
            options.DeadLetterQueue,
            options.DeadLetterExchange,
            routingKey: string.Empty,
            arguments: null,
            cancellationToken: cancellationToken);

        // Nothing routes to the parking queue: the redrive publishes to it by name, and only an operator takes from it.
        await channel.QueueDeclareAsync(
            options.ParkingQueue,
            durable: true,
            exclusive: false,
            autoDelete: false,
            arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" },
            cancellationToken: cancellationToken);

        await channel.QueueDeclareAsync(
            options.Queue,
            durable: true,
            exclusive: false,
            autoDelete: false,
            arguments: WorkQueueArguments(options),
            cancellationToken: cancellationToken);

        await channel.QueueBindAsync(
            options.Queue,
            options.Exchange,
            options.RoutingKey,
            arguments: null,
            cancellationToken: cancellationToken);
    }

    /// <summary>Work queue arguments: replicated, bounded redelivery, poison to the dead-letter exchange.</summary>
    public static Dictionary<string, object?> WorkQueueArguments(RabbitMqOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);

        return new Dictionary<string, object?>
        {
            ["x-queue-type"] = "quorum",
            ["x-delivery-limit"] = options.DeliveryLimit,
            ["x-dead-letter-exchange"] = options.DeadLetterExchange,
        };
    }
}
