using TusUpload.Protocol.Lifecycle;
using TusUpload.Protocol.Storage;

namespace TusUpload.Protocol.Tests.Handlers;

/// <summary>
/// A lifecycle that only remembers which uploads it was told were terminated or expired. Like the SQLite ledger, it
/// refuses a notification whose token is cancelled already, so a record attempted on a spent token is not counted.
/// </summary>
internal sealed class RecordingLifecycle : IUploadLifecycle
{
    public List<string> Terminated { get; } = [];

    public List<string> Expired { get; } = [];

    public Task TerminatedAsync(string uploadId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Terminated.Add(uploadId);
        return Task.CompletedTask;
    }

    public Task CreatedAsync(UploadInfo upload, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task ReceivingAsync(UploadInfo upload, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task CompletedAsync(UploadInfo upload, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task ExpiredAsync(string uploadId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Expired.Add(uploadId);
        return Task.CompletedTask;
    }

    public Task<UploadProcessingStatus?> GetStatusAsync(string uploadId, CancellationToken cancellationToken) =>
        Task.FromResult<UploadProcessingStatus?>(null);
}
