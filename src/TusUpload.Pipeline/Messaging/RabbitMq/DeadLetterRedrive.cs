using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using TusUpload.Pipeline.Ledger;
using TusUpload.Pipeline.Processing;

namespace TusUpload.Pipeline.Messaging.RabbitMq;

/// <summary>
/// Consumes the dead-letter queue. A message the work queue's delivery limit dead-lettered while the ledger still
/// shows its upload unfinished (workers that went away again and again while holding it) is redriven to the work
/// queue after a delay, a bounded number of times; past the bound its upload is marked failed. Every other dead
/// letter is parked for an operator. Nothing is dropped: a message leaves this queue only once its copy is confirmed.
/// </summary>
public sealed partial class DeadLetterRedrive(
    IOptions<RabbitMqOptions> options,
    IUploadLedger ledger,
    ProcessingMetrics metrics,
    ILogger<DeadLetterRedrive> logger) : BackgroundService
{
    /// <summary>
    /// Redrives so far, carried by the message. Not an <c>x-</c> header: those are the broker's, and the work
    /// consumer's fresh copies (a deferral, a graceful stop's hand-off) drop them.
    /// </summary>
    public const string RedriveCountHeader = "tusupload-redrives";

    /// <summary>Why a parked message was parked, for the operator who looks at it.</summary>
    public const string ParkedBecauseHeader = "tusupload-parked-because";

    // Messages held at once; each may wait for its redrive, and those behind it are decided meanwhile.
    private const ushort Prefetch = 4;

    private readonly RabbitMqOptions _options = options.Value;

    /// <summary>
    /// The longest a dead letter is held unacked (waiting for its redrive, or for the ledger) before it is returned
    /// to its queue and decided again; below RabbitMQ's consumer_timeout (30 minutes by default), which would close
    /// the channel and return every message it held. Shorter in tests.
    /// </summary>
    internal TimeSpan MaxHold { get; init; } = TimeSpan.FromMinutes(20);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Redrive.Enabled)
        {
            logger.RedriveOff(_options.DeadLetterQueue);
            return;
        }

        await RabbitMqConnections.ReconnectingAsync(
            _options,
            async token =>
            {
                await ConsumeUntilDisconnectedAsync(token);
                return true;
            },
            (seconds, reason) => logger.RedriveDisconnected(_options.DisplayEndpoint, seconds, reason),
            stoppingToken);
    }

    private async Task ConsumeUntilDisconnectedAsync(CancellationToken stoppingToken)
    {
        // Cancelled when stopping or when the connection goes: held messages stop waiting, and those not settled
        // return to the dead-letter queue as the channel closes. Disposed last, after the channel's close fired.
        using var lost = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        await using var connection = await RabbitMqConnections.OpenAsync(
            _options,
            "tusupload-dead-letter-redrive",
            stoppingToken);
        var channelOptions = new CreateChannelOptions(
            publisherConfirmationsEnabled: true,
            publisherConfirmationTrackingEnabled: true,
            consumerDispatchConcurrency: Prefetch);
        await using var channel = await connection.CreateChannelAsync(channelOptions, stoppingToken);

        await RabbitMqTopology.DeclareAsync(channel, _options, stoppingToken);
        await channel.BasicQosAsync(0, Prefetch, global: false, stoppingToken);

        connection.ConnectionShutdownAsync += (_, _) => CancelQuietly(lost);
        channel.ChannelShutdownAsync += (_, _) => CancelQuietly(lost);

        var deliveries = new AsyncEventingBasicConsumer(channel);
        deliveries.ReceivedAsync += (_, delivery) => HandleAsync(channel, delivery, lost.Token);
        await channel.BasicConsumeAsync(_options.DeadLetterQueue, autoAck: false, deliveries, stoppingToken);
        logger.Redriving(
            _options.DeadLetterQueue,
            _options.DisplayEndpoint,
            _options.Redrive.MaxRedrives,
            _options.Redrive.Delay.TotalSeconds,
            _options.ParkingQueue);

        try
        {
            await Task.Delay(Timeout.Infinite, lost.Token);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            // The connection went; the caller reconnects.
        }
    }

    private async Task HandleAsync(IChannel channel, BasicDeliverEventArgs delivery, CancellationToken lost)
    {
        var heldSince = DateTimeOffset.UtcNow;
        var uploadId = delivery.BasicProperties.MessageId ?? "(unknown)";
        try
        {
            if (!await DecideAsync(channel, delivery, heldSince + MaxHold, lost))
            {
                var held = DateTimeOffset.UtcNow - heldSince;
                logger.RedriveReturned(uploadId, held.TotalMinutes, _options.DeadLetterQueue);
                await SettleAsync(uploadId, () =>
                    channel.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: true));
            }
        }
        catch (Exception ex) when (lost.IsCancellationRequested && ex is not OutOfMemoryException)
        {
            // Stopping, or the connection went: the unsettled dead letter returns to its queue when the channel
            // closes and is decided again. Its wait counts from its death, so none of it is lost.
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A fault of ours outside the steps that retry themselves: returned after a pause, not in a loop.
            logger.RedriveStepFailed(uploadId, "deciding", MaxRetryDelay.TotalSeconds, ex.Message);
            await ReturnAfterAsync(channel, delivery, uploadId, MaxRetryDelay, lost);
        }
    }

    private async Task ReturnAfterAsync(
        IChannel channel,
        BasicDeliverEventArgs delivery,
        string uploadId,
        TimeSpan pause,
        CancellationToken lost)
    {
        try
        {
            await Task.Delay(pause, lost);
        }
        catch (OperationCanceledException)
        {
            // The channel's close returns it.
            return;
        }

        await SettleAsync(uploadId, () =>
            channel.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: true));
    }

    // The connection's and the channel's shutdown events may come after the wait ended and the source was disposed.
    private static Task CancelQuietly(CancellationTokenSource lost)
    {
        try
        {
            return lost.CancelAsync();
        }
        catch (ObjectDisposedException)
        {
            return Task.CompletedTask;
        }
    }

    // Settling on a channel that just closed fails; the message then returns and is decided again.
    private async Task SettleAsync(string uploadId, Func<ValueTask> settle)
    {
        try
        {
            await settle();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            logger.RedriveSettleFailed(uploadId, ex.Message);
        }
    }
}
