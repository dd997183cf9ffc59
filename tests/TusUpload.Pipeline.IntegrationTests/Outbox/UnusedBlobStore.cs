using TusUpload.Protocol.Storage;

namespace TusUpload.Pipeline.IntegrationTests.Outbox;

/// <summary>The blob store of a lifecycle that only records completions, which never touch blobs.</summary>
internal sealed class UnusedBlobStore : IBlobStore
{
    public Task PromoteAsync(UploadInfo upload, string sha256, CancellationToken cancellationToken) => Unused();

    public Task<bool> ExistsAsync(string sha256, CancellationToken cancellationToken) => Unused<bool>();

    public Task<Stream> OpenReadAsync(string sha256, long start, long count, CancellationToken cancellationToken) =>
        Unused<Stream>();

    public Task ReleaseUploadDataAsync(string uploadId, CancellationToken cancellationToken) => Unused();

    public Task DeleteAsync(string sha256, CancellationToken cancellationToken) => Unused();

    private static Task Unused() => Unused<bool>();

    private static Task<T> Unused<T>() =>
        Task.FromException<T>(new InvalidOperationException("Completions do not use the blob store."));
}
