using Microsoft.Extensions.Logging;

namespace TusUpload.Pipeline.Outbox;

/// <summary>Log messages of the outbox relay (event ids 4100–4199).</summary>
public static partial class OutboxLog
{
    [LoggerMessage(4100, LogLevel.Information, "Outbox relay started (batch {BatchSize}, poll {PollInterval})")]
    public static partial void Started(ILogger logger, int batchSize, TimeSpan pollInterval);

    [LoggerMessage(4101, LogLevel.Debug, "Outbox event for upload {UploadId} published (outbox id {OutboxId})")]
    public static partial void Published(ILogger logger, string uploadId, long outboxId);

    [LoggerMessage(4102, LogLevel.Warning,
        "Publishing {Count} outbox events failed (attempt {Attempt}); retrying in {Delay}; first upload {UploadId}")]
    public static partial void PublishFailed(
        ILogger logger,
        Exception exception,
        int count,
        int attempt,
        TimeSpan delay,
        string uploadId);

    // Claiming, marking sent and releasing rows are all writes, so the message does not say "read".
    [LoggerMessage(4103, LogLevel.Error, "The outbox relay's call to the ledger failed; retrying in {Delay}")]
    public static partial void LedgerFailed(ILogger logger, Exception exception, TimeSpan delay);

    // An outage of the ledger's database (refused, reset, shutting down) is expected to pass and is retried: a
    // Warning with the reason, not an Error with a stack trace on every retry.
    [LoggerMessage(
        4107,
        LogLevel.Warning,
        "The outbox relay cannot reach the ledger's database; retrying in {Delay}: {Reason}")]
    public static partial void LedgerUnavailable(ILogger logger, TimeSpan delay, string reason);

    // The first pass that worked after failed ones, whichever failed (the publish or the ledger), so it names
    // neither; and that pass may have found nothing to publish, or more than one batch waiting.
    [LoggerMessage(4104, LogLevel.Information,
        "The outbox relay works again after {Failures} failed attempts; its first pass since published {Count} events")]
    public static partial void Recovered(ILogger logger, int failures, int count);

    [LoggerMessage(4105, LogLevel.Warning,
        "Marking {Count} published outbox events sent failed (attempt {Attempt}); retrying; first upload {UploadId}")]
    public static partial void MarkSentRetried(
        ILogger logger,
        Exception exception,
        int count,
        int attempt,
        string uploadId);

    [LoggerMessage(4106, LogLevel.Information,
        "A completion committed while the outbox relay waited after a ledger failure; retrying now")]
    public static partial void BackoffEndedByCompletion(ILogger logger);
}
