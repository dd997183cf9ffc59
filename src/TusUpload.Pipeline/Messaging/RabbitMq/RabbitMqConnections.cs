using RabbitMQ.Client;

namespace TusUpload.Pipeline.Messaging.RabbitMq;

/// <summary>
/// Opens broker connections. Automatic recovery is off on purpose: the publisher and the consumer each notice a
/// closed connection and reconnect themselves, re-declaring the topology, which keeps one recovery path to test.
/// </summary>
public static class RabbitMqConnections
{
    public static Task<IConnection> OpenAsync(
        RabbitMqOptions options,
        string clientName,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);

        var factory = new ConnectionFactory
        {
            Uri = options.Uri,
            AutomaticRecoveryEnabled = false,
            TopologyRecoveryEnabled = false,
            RequestedHeartbeat = TimeSpan.FromSeconds(15),
            RequestedConnectionTimeout = TimeSpan.FromSeconds(10),
            ClientProvidedName = clientName,
        };
        return factory.CreateConnectionAsync(clientName, cancellationToken);
    }

    /// <summary>Exponential backoff from <see cref="RabbitMqOptions.ReconnectDelay"/>, capped at 30 seconds.</summary>
    public static TimeSpan ReconnectDelay(RabbitMqOptions options, int failures)
    {
        ArgumentNullException.ThrowIfNull(options);

        var factor = Math.Pow(2, Math.Min(failures, 10));
        var delay = options.ReconnectDelay * factor;
        return delay > TimeSpan.FromSeconds(30) ? TimeSpan.FromSeconds(30) : delay;
    }
}
