using Microsoft.Extensions.Logging;

namespace TusUpload.Pipeline.Messaging.InProcess;

/// <summary>Log messages of the in-process queue and worker (event ids 4200–4299).</summary>
public static partial class InProcessLog
{
    [LoggerMessage(4200, LogLevel.Information, "In-process worker started with {Concurrency} consumers")]
    public static partial void Started(ILogger logger, int concurrency);

    [LoggerMessage(4201, LogLevel.Warning,
        "Processing upload {UploadId} failed on delivery {Delivery} of {MaxDeliveries}; retrying in {Delay}")]
    public static partial void Retrying(
        ILogger logger,
        Exception exception,
        string uploadId,
        int delivery,
        int maxDeliveries,
        TimeSpan delay);

    [LoggerMessage(4202, LogLevel.Error, "Processing upload {UploadId} failed {Deliveries} times; marked failed")]
    public static partial void GaveUp(ILogger logger, Exception exception, string uploadId, int deliveries);

    [LoggerMessage(4203, LogLevel.Error,
        "Outbox row {OutboxId} of upload {UploadId} is not a readable completed event")]
    public static partial void Undecodable(ILogger logger, Exception exception, string uploadId, long outboxId);

    [LoggerMessage(4204, LogLevel.Debug, "Upload {UploadId} handled on delivery {Delivery}")]
    public static partial void Handled(ILogger logger, string uploadId, int delivery);

    [LoggerMessage(4205, LogLevel.Error, "Marking upload {UploadId} failed did not succeed; it is left for redelivery")]
    public static partial void MarkFailedFailed(ILogger logger, Exception exception, string uploadId);

    [LoggerMessage(4206, LogLevel.Warning,
        "Processing upload {UploadId} deferred (a service it needs is unavailable); retrying in {Delay}")]
    public static partial void Deferred(ILogger logger, Exception exception, string uploadId, TimeSpan delay);
}
