using Microsoft.Extensions.Logging;
using TusUpload.Protocol.Diagnostics;
using TusUpload.Protocol.Http;

namespace TusUpload.Protocol.Lifecycle;

/// <summary>Asks the lifecycle for an upload's processing status; its outage is a retryable 503.</summary>
public sealed class UploadStatusReader(IUploadLifecycle lifecycle, ILogger<UploadStatusReader> logger)
{
    /// <summary>The lifecycle state of an upload that expired, kept after the sweeper removed its data.</summary>
    public const string ExpiredState = "expired";

    /// <summary>The lifecycle state of an upload a DELETE ended.</summary>
    public const string TerminatedState = "terminated";

    /// <summary>
    /// E2: the store no longer has the upload. Only the lifecycle remembers whether it expired (410) or never
    /// existed or was terminated (404).
    /// </summary>
    public async Task<TusRejection> MissingAsync(string uploadId, CancellationToken cancellationToken) =>
        await WasExpiredAsync(uploadId, cancellationToken)
            ? new TusRejection(410, "Upload expired.")
            : TusRejection.NotFound();

    /// <summary>True when the lifecycle records the upload as expired (its data may be gone already).</summary>
    public async Task<bool> WasExpiredAsync(string uploadId, CancellationToken cancellationToken)
    {
        var status = await GetAsync(uploadId, cancellationToken);
        return status?.State == ExpiredState;
    }

    /// <summary>
    /// For HEAD, whose tus answer (the offset) never depends on processing: null when the lifecycle is unreachable,
    /// so a client resuming during an outage still learns its offset; the processing state header is left out.
    /// </summary>
    public async Task<UploadProcessingStatus?> TryGetAsync(string uploadId, CancellationToken cancellationToken)
    {
        try
        {
            return await lifecycle.GetStatusAsync(uploadId, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            TusLog.NotificationFailed(logger, exception, "status", uploadId);
            return null;
        }
    }

    public async Task<UploadProcessingStatus?> GetAsync(string uploadId, CancellationToken cancellationToken)
    {
        try
        {
            return await lifecycle.GetStatusAsync(uploadId, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            TusLog.NotificationFailed(logger, exception, "status", uploadId);
            throw new TusRejection(503, "The upload's processing status is unavailable; retry.")
            {
                RetryAfterSeconds = 1,
            };
        }
    }
}
