using TusUpload.Protocol.Lifecycle;
using TusUpload.Protocol.Storage;

namespace TusUpload.Protocol.Tests.Handlers;

/// <summary>A lifecycle whose termination and receiving records never finish unless their token gives up.</summary>
internal sealed class StuckLifecycle : IUploadLifecycle
{
    public bool GaveUp { get; private set; }

    public Task TerminatedAsync(string uploadId, CancellationToken cancellationToken) =>
        HangAsync(cancellationToken);

    public Task ReceivingAsync(UploadInfo upload, CancellationToken cancellationToken) =>
        HangAsync(cancellationToken);

    private async Task HangAsync(CancellationToken cancellationToken)
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

    public Task CompletedAsync(UploadInfo upload, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task ExpiredAsync(string uploadId, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task AbandonedAsync(string uploadId, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<UploadProcessingStatus?> GetStatusAsync(string uploadId, CancellationToken cancellationToken) =>
        Task.FromResult<UploadProcessingStatus?>(null);
}
