using Microsoft.Extensions.Logging;
using TusUpload.Protocol.Diagnostics;
using TusUpload.Protocol.Storage;

namespace TusUpload.Protocol.Lifecycle;

/// <summary>
/// The lifecycle used when no pipeline is registered: it logs each notification and reports no processing
/// status, so complete uploads are downloadable at once. Counting happens in the protocol's metrics.
/// </summary>
public sealed class LoggingUploadLifecycle(ILogger<LoggingUploadLifecycle> logger) : IUploadLifecycle
{
    public Task CreatedAsync(UploadInfo upload, CancellationToken cancellationToken) =>
        Log(upload.Id, "created");

    public Task ReceivingAsync(UploadInfo upload, CancellationToken cancellationToken) =>
        Log(upload.Id, "receiving");

    public Task CompletedAsync(UploadInfo upload, CancellationToken cancellationToken) =>
        Log(upload.Id, "completed");

    public Task TerminatedAsync(string uploadId, CancellationToken cancellationToken) =>
        Log(uploadId, "terminated");

    public Task ExpiredAsync(string uploadId, CancellationToken cancellationToken) =>
        Log(uploadId, "expired");

    public Task AbandonedAsync(string uploadId, CancellationToken cancellationToken) =>
        Log(uploadId, "abandoned");

    public Task<UploadProcessingStatus?> GetStatusAsync(string uploadId, CancellationToken cancellationToken) =>
        Task.FromResult<UploadProcessingStatus?>(null);

    private Task Log(string uploadId, string notification)
    {
        TusLog.Lifecycle(logger, uploadId, notification);
        return Task.CompletedTask;
    }
}
