using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using TusUpload.Pipeline.Outbox;
using TusUpload.Pipeline.Processing;

namespace TusUpload.Pipeline.Messaging.RabbitMq;

// One delivery: decode, hand to the completion consumer, settle.
public sealed partial class RabbitMqCompletionConsumer
{
    private const string DeliveryCountHeader = "x-delivery-count";

    /// <summary>
    /// The 1-based attempt number: a quorum queue sets <c>x-delivery-count</c> to the number of earlier
    /// deliveries that were returned, and leaves it out on the first delivery.
    /// </summary>
    public static int DeliveryAttempt(IReadOnlyBasicProperties properties)
    {
        ArgumentNullException.ThrowIfNull(properties);

        if (properties.Headers is null || !properties.Headers.TryGetValue(DeliveryCountHeader, out var value))
        {
            return 1;
        }

        var returned = value switch
        {
            long l => l,
            int i => i,
            short s => s,
            byte b => b,
            _ => 0,
        };
        return (int)Math.Clamp(returned + 1, 1, int.MaxValue);
    }

    private async Task HandleDeliveryAsync(IChannel channel, BasicDeliverEventArgs delivery)
    {
        Interlocked.Increment(ref _inFlight);
        try
        {
            await HandleOneAsync(channel, delivery);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private async Task HandleOneAsync(IChannel channel, BasicDeliverEventArgs delivery)
    {
        var attempt = DeliveryAttempt(delivery.BasicProperties);
        if (!CompletionEventCodec.TryDecode(delivery.Body, out var completed, out var error))
        {
            // Nothing can ever handle it, so it goes to the dead-letter queue at once instead of after the limit.
            logger.Undecodable(delivery.BasicProperties.MessageId ?? "(none)", error ?? "unreadable");
            await SettleAsync(completed?.UploadId ?? "(unknown)", () =>
                channel.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: false));
            return;
        }

        logger.Received(completed!.UploadId, attempt);
        try
        {
            await consumer.HandleAsync(completed, attempt, _abandon.Token);
        }
        catch (Exception ex) when (_abandon.IsCancellationRequested && ex is not OutOfMemoryException)
        {
            // Stopping, and the drain ended first: the delivery was cancelled (whatever it threw on the way out).
            // Returned by the channel's close, the quorum queue would count it, and a worker restarted often
            // enough during an outage would dead-letter every message it held. A fresh copy starts again at 1.
            await HandOffAsync(channel, delivery, completed.UploadId);
            return;
        }
        catch (ProcessingDeferredException ex)
        {
            logger.Deferred(completed.UploadId, ex.Message);
            await SettleAsync(
                completed.UploadId,
                () => RequeueAtTailAsync(channel, delivery, _options.ConfirmTimeout));
            return;
        }
        catch (Exception ex)
        {
            // The queue redelivers a returned message at once, so without a wait an error that lasts a second
            // would use up every delivery; the wait holds one prefetch slot, and a stopping consumer cuts it short.
            var delay = RelayBackoff.Delay(attempt, _options.RetryDelay, MaxRetryDelay);
            logger.HandlerFailed(completed.UploadId, attempt, delay.TotalSeconds, ex.Message);
            await WaitBeforeReturningAsync(delay);
            await SettleAsync(completed.UploadId, () =>
                channel.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: true));
            return;
        }

        await SettleAsync(completed.UploadId, () => channel.BasicAckAsync(delivery.DeliveryTag, multiple: false));
    }

    private async Task WaitBeforeReturningAsync(TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, _abandon.Token);
        }
        catch (OperationCanceledException)
        {
            // Stopping: the failure stands and is returned now, counted, like any other.
        }
    }

    // A delivery cancelled by a graceful stop goes back the way a deferral does. When that fails (the broker or the
    // connection is gone, no confirm in time) the message stays unacked and returns when the channel closes, counted.
    private async Task HandOffAsync(IChannel channel, BasicDeliverEventArgs delivery, string uploadId)
    {
        var timeout = HandOffTimeout < _options.ConfirmTimeout ? HandOffTimeout : _options.ConfirmTimeout;
        try
        {
            await RequeueAtTailAsync(channel, delivery, timeout);
            logger.HandedOff(uploadId);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            logger.HandOffFailed(uploadId, ex.Message);
        }
    }

    // A deferral is not the message's fault, so it must not use up the delivery limit: publish a fresh copy
    // (confirmed) to the queue, then ack the original. A crash in between leaves two copies, which is harmless.
    // The confirm is awaited at most timeout: a copy confirmed later, with the original then returned, is a second
    // copy too.
    // The broker's x- headers (the delivery count, x-death) stay behind; ours, the dead-letter redrive's count
    // among them, go with the copy, so that a redriven message deferred on its way keeps its redrives.
    private async ValueTask RequeueAtTailAsync(IChannel channel, BasicDeliverEventArgs delivery, TimeSpan timeout)
    {
        var properties = new BasicProperties(delivery.BasicProperties);
        if (properties.Headers is { } headers)
        {
            properties.Headers = headers
                .Where(header => !header.Key.StartsWith("x-", StringComparison.Ordinal))
                .ToDictionary(header => header.Key, header => header.Value);
        }

        using var confirm = new CancellationTokenSource(timeout);
        await channel.BasicPublishAsync(
                exchange: string.Empty,
                routingKey: _options.Queue,
                mandatory: true,
                properties,
                delivery.Body,
                confirm.Token)
            .AsTask()
            .WaitAsync(timeout, CancellationToken.None);
        await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false, CancellationToken.None)
            .AsTask()
            .WaitAsync(timeout, CancellationToken.None);
    }

    // Settling on a channel that just closed fails; the broker then redelivers, which processing tolerates.
    private async Task SettleAsync(string uploadId, Func<ValueTask> settle)
    {
        try
        {
            await settle();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            logger.SettleFailed(uploadId, ex.Message);
        }
    }
}
