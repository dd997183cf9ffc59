using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace TusUpload.Pipeline.Messaging.RabbitMq;

/// <summary>
/// Consumes the work queue with manual acks and the configured prefetch, handing each event to
/// <see cref="ICompletionConsumer"/>: ack after it returns, nack with requeue when it throws (the quorum queue's
/// delivery limit then dead-letters a poison message). Reconnects with backoff whenever the broker goes away.
/// </summary>
public sealed partial class RabbitMqCompletionConsumer(
    IOptions<RabbitMqOptions> options,
    ICompletionConsumer consumer,
    ILogger<RabbitMqCompletionConsumer> logger) : BackgroundService
{
    // How long a stopping consumer lets deliveries in progress finish; unfinished ones go back to the queue.
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(20);

    private readonly RabbitMqOptions _options = options.Value;
    private readonly CancellationTokenSource _abandon = new();
    private int _inFlight;

    public override void Dispose()
    {
        _abandon.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            string reason;
            try
            {
                var consumed = await ConsumeUntilDisconnectedAsync(stoppingToken);
                failures = consumed ? 0 : failures;
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

            var delay = RabbitMqConnections.ReconnectDelay(_options, failures++);
            logger.ConsumerDisconnected(_options.DisplayEndpoint, delay.TotalSeconds, reason);
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

    // Returns true when it consumed at all before the connection closed (resets the backoff).
    private async Task<bool> ConsumeUntilDisconnectedAsync(CancellationToken stoppingToken)
    {
        await using var connection = await RabbitMqConnections.OpenAsync(_options, "tusupload-worker", stoppingToken);
        var channelOptions = new CreateChannelOptions(
            publisherConfirmationsEnabled: true,
            publisherConfirmationTrackingEnabled: true,
            consumerDispatchConcurrency: _options.Prefetch);
        await using var channel = await connection.CreateChannelAsync(channelOptions, stoppingToken);

        await RabbitMqTopology.DeclareAsync(channel, _options, stoppingToken);
        await channel.BasicQosAsync(0, _options.Prefetch, global: false, stoppingToken);

        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.ConnectionShutdownAsync += (_, _) => SignalClosed(closed);
        channel.ChannelShutdownAsync += (_, _) => SignalClosed(closed);

        var deliveries = new AsyncEventingBasicConsumer(channel);
        deliveries.ReceivedAsync += (_, delivery) => HandleDeliveryAsync(channel, delivery);
        var consumerTag = await channel.BasicConsumeAsync(_options.Queue, autoAck: false, deliveries, stoppingToken);
        logger.Consuming(_options.Queue, _options.DisplayEndpoint, _options.Prefetch);

        try
        {
            await closed.Task.WaitAsync(stoppingToken);
            return true;
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            await StopConsumingAsync(channel, consumerTag);
            throw;
        }
    }

    // Graceful stop: no new deliveries, let the ones in progress finish, then closing the channel returns the rest.
    private async Task StopConsumingAsync(IChannel channel, string consumerTag)
    {
        try
        {
            await channel.BasicCancelAsync(consumerTag, noWait: false, CancellationToken.None)
                .WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            logger.ConsumerDisconnected(_options.DisplayEndpoint, 0, "cancelling the consumer: " + ex.Message);
        }

        var inFlight = Volatile.Read(ref _inFlight);
        if (inFlight > 0)
        {
            logger.Draining(inFlight, DrainTimeout.TotalSeconds);
        }

        var deadline = DateTime.UtcNow + DrainTimeout;
        while (Volatile.Read(ref _inFlight) > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, CancellationToken.None);
        }

        await _abandon.CancelAsync();
    }

    private static Task SignalClosed(TaskCompletionSource closed)
    {
        closed.TrySetResult();
        return Task.CompletedTask;
    }
}
