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
    // How long a stopping consumer lets deliveries in progress finish before it cancels them and hands each back
    // as a fresh copy. Cancelling the subscription (5 s), the drain and the hand-off (5 s) fit the worker's 25 s.
    private static readonly TimeSpan DefaultDrainTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan CancelTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);

    private readonly RabbitMqOptions _options = options.Value;
    private readonly CancellationTokenSource _abandon = new();
    private int _inFlight;

    /// <summary>The drain window of a graceful stop; shorter in tests.</summary>
    internal TimeSpan DrainTimeout { get; init; } = DefaultDrainTimeout;

    /// <summary>
    /// The longest wait, once the drain ends, for cancelled deliveries to be handed back (one confirmed publish and
    /// an ack each, all at once); shorter in tests.
    /// </summary>
    internal TimeSpan HandOffTimeout { get; init; } = TimeSpan.FromSeconds(5);

    public override void Dispose()
    {
        _abandon.Dispose();
        base.Dispose();
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        RabbitMqConnections.ReconnectingAsync(
            _options,
            ConsumeUntilDisconnectedAsync,
            (seconds, reason) => logger.ConsumerDisconnected(_options.DisplayEndpoint, seconds, reason),
            stoppingToken);

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

    // Graceful stop: no new deliveries, let the ones in progress finish, then cancel the rest, which hand their
    // messages back as fresh copies (HandleOneAsync) while the channel is still open. Only what could not be handed
    // back in time returns when the channel closes, and a quorum queue counts that return against the limit.
    private async Task StopConsumingAsync(IChannel channel, string consumerTag)
    {
        try
        {
            await channel.BasicCancelAsync(consumerTag, noWait: false, CancellationToken.None)
                .WaitAsync(CancelTimeout);
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

        await WaitForNoneInFlightAsync(DrainTimeout);

        await _abandon.CancelAsync();
        if (!await WaitForNoneInFlightAsync(HandOffTimeout))
        {
            logger.HandOffIncomplete(Volatile.Read(ref _inFlight), HandOffTimeout.TotalSeconds);
        }
    }

    // True when no delivery is in progress any more; polls, so every wait is bounded by the timeout.
    private async Task<bool> WaitForNoneInFlightAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Volatile.Read(ref _inFlight) > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, CancellationToken.None);
        }

        return Volatile.Read(ref _inFlight) == 0;
    }

    private static Task SignalClosed(TaskCompletionSource closed)
    {
        closed.TrySetResult();
        return Task.CompletedTask;
    }
}
