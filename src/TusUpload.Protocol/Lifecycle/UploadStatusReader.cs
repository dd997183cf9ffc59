using Microsoft.Extensions.Logging;
using TusUpload.Protocol.Diagnostics;
using TusUpload.Protocol.Http;

namespace TusUpload.Protocol.Lifecycle;

/// <summary>Asks the lifecycle for a complete upload's processing status; its outage is a retryable 503.</summary>
public sealed class UploadStatusReader(IUploadLifecycle lifecycle, ILogger<UploadStatusReader> logger)
{
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
