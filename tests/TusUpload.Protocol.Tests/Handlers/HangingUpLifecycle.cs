using TusUpload.Protocol.Lifecycle;
using TusUpload.Protocol.Storage;

namespace TusUpload.Protocol.Tests.Handlers;

/// <summary>
/// A lifecycle during whose termination record the client hangs up: it cancels the request first, then records
/// the termination unless its own token was cancelled by that.
/// </summary>
internal sealed class HangingUpLifecycle(CancellationTokenSource client) : IUploadLifecycle
{
    public List<string> Terminated { get; } = [];

    public async Task TerminatedAsync(string uploadId, CancellationToken cancellationToken)
    {
        await client.CancelAsync();

        cancellationToken.ThrowIfCancellationRequested();
        Terminated.Add(uploadId);
    }

    public Task CreatedAsync(UploadInfo upload, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task ReceivingAsync(UploadInfo upload, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task CompletedAsync(UploadInfo upload, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task ExpiredAsync(string uploadId, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task AbandonedAsync(string uploadId, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<UploadProcessingStatus?> GetStatusAsync(string uploadId, CancellationToken cancellationToken) =>
        Task.FromResult<UploadProcessingStatus?>(null);
}
