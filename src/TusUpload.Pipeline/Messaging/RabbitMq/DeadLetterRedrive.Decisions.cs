using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using TusUpload.Pipeline.Ledger;

namespace TusUpload.Pipeline.Messaging.RabbitMq;

// One dead letter: decide between a redrive and parking, and carry it out.
public sealed partial class DeadLetterRedrive
{
    // Doubling the delay this many times at most; with the largest delay, an hour, that is a day and more.
    private const int MaxDelayDoublings = 10;

    /// <summary>
    /// The redrives a message has had: its <see cref="RedriveCountHeader"/> (any integer type, or digits), 0 when
    /// it has none or the value is unreadable.
    /// </summary>
    public static int RedriveCount(IDictionary<string, object?>? headers)
    {
        if (headers is null || !headers.TryGetValue(RedriveCountHeader, out var value))
        {
            return 0;
        }

        var count = value switch
        {
            int i => i,
            long l => l,
            short s => s,
            byte b => b,
            sbyte b => b,
            uint u => u,
            byte[] digits when long.TryParse(digits, out var parsed) => parsed,
            string digits when long.TryParse(digits, out var parsed) => parsed,
            _ => 0,
        };
        return (int)Math.Clamp(count, 0, int.MaxValue);
    }

    /// <summary>How long after its death a message that was redriven <paramref name="redrives"/> times waits.</summary>
    public static TimeSpan RedriveDelay(TimeSpan delay, int redrives) =>
        delay * Math.Pow(2, Math.Clamp(redrives, 0, MaxDelayDoublings));

    // True once the message is settled (redriven or parked, then acked); false when it was held for MaxHold and is
    // to be returned to the queue.
    private async Task<bool> DecideAsync(
        IChannel channel,
        BasicDeliverEventArgs delivery,
        DateTimeOffset heldUntil,
        CancellationToken cancellationToken)
    {
        var headers = delivery.BasicProperties.Headers;
        if (!CompletionEventCodec.TryDecode(delivery.Body, out var completed, out var error))
        {
            var messageId = delivery.BasicProperties.MessageId ?? "(none)";
            var why = $"not an upload completed event: {error}";
            return await ParkAsync(channel, delivery, messageId, "undecodable", why, heldUntil, cancellationToken);
        }

        var uploadId = completed!.UploadId;
        var death = DeadLetterDeath.Latest(headers);
        if (death is not { Reason: DeadLetterDeath.DeliveryLimit } || death.Queue != _options.Queue)
        {
            // Rejected (undecodable to the work consumer), expired, or from another queue bound to the exchange:
            // nothing a redrive would mend.
            var why = death is null
                ? "it carries no x-death header"
                : $"dead-lettered from {death.Queue} for {death.Reason}, not for {_options.Queue}'s delivery limit";
            return await ParkAsync(channel, delivery, uploadId, "other_death", why, heldUntil, cancellationToken);
        }

        var (read, upload) = await HoldingAsync(
            uploadId,
            "reading the ledger",
            token => ledger.GetAsync(uploadId, token),
            heldUntil,
            cancellationToken);
        if (!read)
        {
            return false;
        }

        if (upload is null)
        {
            const string why = "the ledger has no such upload";
            return await ParkAsync(channel, delivery, uploadId, "unknown_upload", why, heldUntil, cancellationToken);
        }

        if (upload.State is not (UploadState.Received or UploadState.Processing))
        {
            // Failed (the processor gave up on its last delivery), or settled meanwhile by a copy of the message.
            var why = $"the ledger says {StateName(upload.State)}";
            return await ParkAsync(channel, delivery, uploadId, "settled", why, heldUntil, cancellationToken);
        }

        var redrives = RedriveCount(headers);
        if (redrives >= _options.Redrive.MaxRedrives)
        {
            return await FailAndParkAsync(channel, delivery, uploadId, redrives, heldUntil, cancellationToken);
        }

        var dueAt = (death.Time ?? DateTimeOffset.UtcNow) + RedriveDelay(_options.Redrive.Delay, redrives);
        if (!await WaitUntilDueAsync(uploadId, dueAt, redrives + 1, heldUntil, cancellationToken))
        {
            return false;
        }

        return await RedriveAsync(channel, delivery, upload, redrives + 1, heldUntil, cancellationToken);
    }

    // False when the redrive is not due before the hold ends: the message is then returned and held again.
    private async Task<bool> WaitUntilDueAsync(
        string uploadId,
        DateTimeOffset dueAt,
        int redrive,
        DateTimeOffset heldUntil,
        CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        if (dueAt <= now)
        {
            return true;
        }

        logger.RedriveHeld(uploadId, dueAt, redrive);
        var until = dueAt < heldUntil ? dueAt : heldUntil;
        await Task.Delay(until - now, cancellationToken);
        return dueAt <= heldUntil;
    }

    private async Task<bool> RedriveAsync(
        IChannel channel,
        BasicDeliverEventArgs delivery,
        LedgerUpload upload,
        int redrive,
        DateTimeOffset heldUntil,
        CancellationToken cancellationToken)
    {
        // A fresh copy, as a deferral makes one: the broker's x- headers (the delivery count, x-death) stay behind,
        // so the copy's deliveries count from 1 again and its next death is recorded afresh with its own time.
        var properties = new BasicProperties(delivery.BasicProperties);
        var headers = (delivery.BasicProperties.Headers ?? new Dictionary<string, object?>())
            .Where(header => !header.Key.StartsWith("x-", StringComparison.Ordinal))
            .ToDictionary(header => header.Key, header => header.Value);
        headers[RedriveCountHeader] = redrive;
        properties.Headers = headers;

        if (!await PublishAndAckAsync(
                channel,
                delivery,
                upload.UploadId,
                "redriving the message",
                _options.Queue,
                properties,
                heldUntil,
                cancellationToken))
        {
            return false;
        }

        metrics.Redriven();
        var state = StateName(upload.State);
        logger.Redriven(upload.UploadId, state, _options.Queue, redrive, _options.Redrive.MaxRedrives);
        return true;
    }

    private async Task<bool> FailAndParkAsync(
        IChannel channel,
        BasicDeliverEventArgs delivery,
        string uploadId,
        int redrives,
        DateTimeOffset heldUntil,
        CancellationToken cancellationToken)
    {
        // A blob an earlier delivery promoted is not known here (nothing says its hash), so it stays; the processor's
        // own failed mark drops only the blob of the delivery that marks.
        var deaths = redrives + 1;
        var reason = $"dead-lettered {deaths} times by the delivery limit (redriven {redrives} times, "
            + $"RabbitMq:Redrive:MaxRedrives is {_options.Redrive.MaxRedrives}); its workers kept going away";
        var (marked, _) = await HoldingAsync(
            uploadId,
            "marking the upload failed",
            async token =>
            {
                await ledger.MarkFailedAsync(uploadId, reason, token);
                return true;
            },
            heldUntil,
            cancellationToken);
        if (!marked)
        {
            return false;
        }

        metrics.Failure("redrive_limit");
        if (!await ParkAsync(channel, delivery, uploadId, "redrive_limit", reason, heldUntil, cancellationToken))
        {
            return false;
        }

        logger.RedrivesUsedUp(uploadId, deaths, _options.ParkingQueue);
        return true;
    }

    private async Task<bool> ParkAsync(
        IChannel channel,
        BasicDeliverEventArgs delivery,
        string uploadId,
        string reasonTag,
        string reason,
        DateTimeOffset heldUntil,
        CancellationToken cancellationToken)
    {
        // The copy keeps x-death, which tells the operator its story, but not the delivery count this queue gave
        // it: moved back to the work queue, it would pass for deliveries there.
        var properties = new BasicProperties(delivery.BasicProperties);
        var headers = new Dictionary<string, object?>(
            delivery.BasicProperties.Headers ?? new Dictionary<string, object?>());
        headers.Remove("x-delivery-count");
        headers[ParkedBecauseHeader] = reason;
        properties.Headers = headers;

        if (!await PublishAndAckAsync(
                channel,
                delivery,
                uploadId,
                "parking the message",
                _options.ParkingQueue,
                properties,
                heldUntil,
                cancellationToken))
        {
            return false;
        }

        metrics.Parked(reasonTag);
        if (reasonTag == "undecodable")
        {
            logger.UndecodableParked(uploadId, _options.ParkingQueue, reason);
        }
        else if (reasonTag != "redrive_limit")
        {
            logger.Parked(uploadId, _options.ParkingQueue, reason);
        }

        return true;
    }

    // Publish the copy (confirmed, mandatory), then ack the dead letter. A crash or a lost connection between the
    // two leaves the dead letter to be decided again and a second copy: harmless, since processing a redriven
    // upload, marking it failed and parking are all idempotent. Until the copy is confirmed the dead letter stays.
    private async Task<bool> PublishAndAckAsync(
        IChannel channel,
        BasicDeliverEventArgs delivery,
        string uploadId,
        string step,
        string queue,
        BasicProperties properties,
        DateTimeOffset heldUntil,
        CancellationToken cancellationToken)
    {
        var (published, _) = await HoldingAsync(
            uploadId,
            step,
            async token =>
            {
                await channel.BasicPublishAsync(
                        exchange: string.Empty,
                        routingKey: queue,
                        mandatory: true,
                        properties,
                        delivery.Body,
                        token)
                    .AsTask()
                    .WaitAsync(_options.ConfirmTimeout, token);
                return true;
            },
            heldUntil,
            cancellationToken);
        if (!published)
        {
            return false;
        }

        await SettleAsync(uploadId, () => channel.BasicAckAsync(delivery.DeliveryTag, multiple: false));
        return true;
    }

    private static string StateName(UploadState state) => state.ToString().ToLowerInvariant();
}
