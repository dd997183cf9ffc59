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

    /// <summary>
    /// Runs <paramref name="consumeUntilDisconnected"/> again each time its connection closes or fails, after
    /// <see cref="ReconnectDelay"/>, until <paramref name="stoppingToken"/> stops it. The backoff starts again after
    /// a connection that served (<paramref name="consumeUntilDisconnected"/> returned true); each pause is reported to
    /// <paramref name="disconnected"/> with its length in seconds and the reason.
    /// </summary>
    public static async Task ReconnectingAsync(
        RabbitMqOptions options,
        Func<CancellationToken, Task<bool>> consumeUntilDisconnected,
        Action<double, string> disconnected,
        CancellationToken stoppingToken)
    {
        ArgumentNullException.ThrowIfNull(consumeUntilDisconnected);
        ArgumentNullException.ThrowIfNull(disconnected);

        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            string reason;
            try
            {
                var served = await consumeUntilDisconnected(stoppingToken);
                failures = served ? 0 : failures;
                reason = "the connection closed";
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                reason = ex.Message;
            }

            var delay = ReconnectDelay(options, failures++);
            disconnected(delay.TotalSeconds, reason);
            try
            {
                await Task.Delay(delay, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
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
