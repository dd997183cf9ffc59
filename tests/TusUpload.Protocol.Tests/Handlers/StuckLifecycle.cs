using TusUpload.Protocol.Lifecycle;
using TusUpload.Protocol.Storage;

namespace TusUpload.Protocol.Tests.Handlers;

/// <summary>A lifecycle whose termination record never finishes unless its token gives up on it.</summary>
internal sealed class StuckLifecycle : IUploadLifecycle
{
    public bool GaveUp { get; private set; }

    public async Task TerminatedAsync(string uploadId, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            GaveUp = true;
            throw;
        }
    }

    public Task CreatedAsync(UploadInfo upload, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task ReceivingAsync(UploadInfo upload, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task CompletedAsync(UploadInfo upload, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task ExpiredAsync(string uploadId, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<UploadProcessingStatus?> GetStatusAsync(string uploadId, CancellationToken cancellationToken) =>
        Task.FromResult<UploadProcessingStatus?>(null);
}
