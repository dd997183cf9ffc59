using Microsoft.Extensions.Logging;

namespace TusUpload.Pipeline.Messaging.RabbitMq;

// Event ids 4600–4699: RabbitMQ publishing and consuming.
internal static partial class RabbitMqLog
{
    [LoggerMessage(EventId = 4600, Level = LogLevel.Information, Message = "Publisher connected to {Endpoint}")]
    public static partial void PublisherConnected(this ILogger logger, string endpoint);

    [LoggerMessage(
        EventId = 4601,
        Level = LogLevel.Warning,
        Message = "Publishing {Count} events to {Endpoint} failed; they stay in the outbox: {Reason}")]
    public static partial void PublishFailed(this ILogger logger, int count, string endpoint, string reason);

    [LoggerMessage(
        EventId = 4602,
        Level = LogLevel.Debug,
        Message = "Broker confirmed {Count} events in {ElapsedMilliseconds} ms")]
    public static partial void Confirmed(this ILogger logger, int count, double elapsedMilliseconds);

    [LoggerMessage(
        EventId = 4610,
        Level = LogLevel.Information,
        Message = "Consuming {Queue} at {Endpoint} with prefetch {Prefetch}")]
    public static partial void Consuming(this ILogger logger, string queue, string endpoint, int prefetch);

    [LoggerMessage(
        EventId = 4611,
        Level = LogLevel.Warning,
        Message = "Consumer lost the broker at {Endpoint}; reconnecting in {DelaySeconds} s: {Reason}")]
    public static partial void ConsumerDisconnected(
        this ILogger logger,
        string endpoint,
        double delaySeconds,
        string reason);

    [LoggerMessage(
        EventId = 4612,
        Level = LogLevel.Debug,
        Message = "Delivery {DeliveryCount} of upload {UploadId} received")]
    public static partial void Received(this ILogger logger, string uploadId, int deliveryCount);

    // Warning, not Error: the processor has already logged the fault itself at Error (4505, and 4506 on the last
    // delivery); this line says what becomes of the message, and one fault should not count as two errors. The
    // consumer nacks with requeue either way; the quorum queue dead-letters past its delivery limit, so the text
    // names both outcomes.
    [LoggerMessage(
        EventId = 4613,
        Level = LogLevel.Warning,
        Message = "Delivery {DeliveryCount} of upload {UploadId} failed and is returned to the queue in "
            + "{DelaySeconds:0.#} s, which redelivers it or, past RabbitMq:DeliveryLimit, dead-letters it: {Reason}")]
    public static partial void HandlerFailed(
        this ILogger logger,
        string uploadId,
        int deliveryCount,
        double delaySeconds,
        string reason);

    [LoggerMessage(
        EventId = 4614,
        Level = LogLevel.Error,
        Message = "Message {MessageId} is not an upload completed event and is dead-lettered: {Reason}")]
    public static partial void Undecodable(this ILogger logger, string messageId, string reason);

    [LoggerMessage(
        EventId = 4615,
        Level = LogLevel.Information,
        Message = "Upload {UploadId} deferred; requeued at the tail without counting a delivery: {Reason}")]
    public static partial void Deferred(this ILogger logger, string uploadId, string reason);

    [LoggerMessage(
        EventId = 4616,
        Level = LogLevel.Warning,
        Message = "Could not settle the delivery of upload {UploadId}; the broker will redeliver it: {Reason}")]
    public static partial void SettleFailed(this ILogger logger, string uploadId, string reason);

    [LoggerMessage(
        EventId = 4617,
        Level = LogLevel.Information,
        Message = "Consumer stopping; waiting up to {DrainSeconds} s for {InFlight} deliveries in progress")]
    public static partial void Draining(this ILogger logger, int inFlight, double drainSeconds);

    [LoggerMessage(
        EventId = 4618,
        Level = LogLevel.Information,
        Message = "Upload {UploadId} was still in progress when the consumer stopped; requeued as a fresh copy "
            + "without counting a delivery")]
    public static partial void HandedOff(this ILogger logger, string uploadId);

    [LoggerMessage(
        EventId = 4619,
        Level = LogLevel.Warning,
        Message = "Upload {UploadId} was still in progress when the consumer stopped and could not be requeued as a "
            + "fresh copy; it returns to the queue when the channel closes, counting a delivery: {Reason}")]
    public static partial void HandOffFailed(this ILogger logger, string uploadId, string reason);

    [LoggerMessage(
        EventId = 4620,
        Level = LogLevel.Warning,
        Message = "{InFlight} cancelled deliveries did not finish within {HandOffSeconds} s; they return to the "
            + "queue when the channel closes, each counting a delivery")]
    public static partial void HandOffIncomplete(this ILogger logger, int inFlight, double handOffSeconds);

    [LoggerMessage(
        EventId = 4630,
        Level = LogLevel.Information,
        Message = "Redriving dead letters of {Queue} at {Endpoint}: up to {MaxRedrives} times each, the first "
            + "{DelaySeconds} s after the death; the rest are parked in {ParkingQueue}")]
    public static partial void Redriving(
        this ILogger logger,
        string queue,
        string endpoint,
        int maxRedrives,
        double delaySeconds,
        string parkingQueue);

    [LoggerMessage(
        EventId = 4631,
        Level = LogLevel.Information,
        Message = "Dead-letter redrive is off (RabbitMq:Redrive:Enabled); dead letters stay in {Queue}")]
    public static partial void RedriveOff(this ILogger logger, string queue);

    [LoggerMessage(
        EventId = 4632,
        Level = LogLevel.Debug,
        Message = "Dead letter of upload {UploadId} is held until {DueAt:u} before its redrive {Redrive}")]
    public static partial void RedriveHeld(this ILogger logger, string uploadId, DateTimeOffset dueAt, int redrive);

    // Warning: the delivery limit took a message whose upload was unfinished, which only workers that went away
    // again and again while holding it do (a crash loop, the OOM killer).
    [LoggerMessage(
        EventId = 4633,
        Level = LogLevel.Warning,
        Message = "Upload {UploadId} was dead-lettered by the delivery limit while the ledger says {State}; "
            + "redriven to {Queue} (redrive {Redrive} of {MaxRedrives})")]
    public static partial void Redriven(
        this ILogger logger,
        string uploadId,
        string state,
        string queue,
        int redrive,
        int maxRedrives);

    [LoggerMessage(
        EventId = 4634,
        Level = LogLevel.Error,
        Message = "Upload {UploadId} was dead-lettered {Deaths} times by the delivery limit; marked failed and its "
            + "message parked in {ParkingQueue}")]
    public static partial void RedrivesUsedUp(this ILogger logger, string uploadId, int deaths, string parkingQueue);

    [LoggerMessage(
        EventId = 4635,
        Level = LogLevel.Warning,
        Message = "Dead letter of upload {UploadId} parked in {ParkingQueue}: {Reason}")]
    public static partial void Parked(this ILogger logger, string uploadId, string parkingQueue, string reason);

    [LoggerMessage(
        EventId = 4636,
        Level = LogLevel.Warning,
        Message = "Dead letter {MessageId} is not an upload completed event and is parked in {ParkingQueue}: "
            + "{Reason}")]
    public static partial void UndecodableParked(
        this ILogger logger,
        string messageId,
        string parkingQueue,
        string reason);

    [LoggerMessage(
        EventId = 4637,
        Level = LogLevel.Warning,
        Message = "Dead letter of upload {UploadId} is held: {Step} failed because the ledger's database is "
            + "unavailable; tried again in {DelaySeconds:0.#} s: {Reason}")]
    public static partial void RedriveLedgerUnavailable(
        this ILogger logger,
        string uploadId,
        string step,
        double delaySeconds,
        string reason);

    [LoggerMessage(
        EventId = 4638,
        Level = LogLevel.Error,
        Message = "Dead letter of upload {UploadId} is held: {Step} failed; tried again in {DelaySeconds:0.#} s: "
            + "{Reason}")]
    public static partial void RedriveStepFailed(
        this ILogger logger,
        string uploadId,
        string step,
        double delaySeconds,
        string reason);

    [LoggerMessage(
        EventId = 4639,
        Level = LogLevel.Warning,
        Message = "Dead letter of upload {UploadId} was held for {HeldMinutes:0.#} min and is returned to {Queue}, "
            + "to be decided again")]
    public static partial void RedriveReturned(this ILogger logger, string uploadId, double heldMinutes, string queue);

    [LoggerMessage(
        EventId = 4640,
        Level = LogLevel.Warning,
        Message = "Dead-letter redrive lost the broker at {Endpoint}; reconnecting in {DelaySeconds} s: {Reason}")]
    public static partial void RedriveDisconnected(
        this ILogger logger,
        string endpoint,
        double delaySeconds,
        string reason);

    [LoggerMessage(
        EventId = 4641,
        Level = LogLevel.Warning,
        Message = "Could not settle the dead letter of upload {UploadId}; it returns and is decided again, which "
            + "repeats only idempotent steps: {Reason}")]
    public static partial void RedriveSettleFailed(this ILogger logger, string uploadId, string reason);
}
