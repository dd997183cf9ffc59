using System.Collections.Concurrent;
using TusUpload.Protocol.Storage;

namespace TusUpload.Pipeline.IntegrationTests.Processing;

/// <summary>
/// A store that knows the SHA-256 of the uploads it was told about (as the S3 store does for an upload it stored
/// whole), counts how often the content is read back, and can run something of a test's just before each read.
/// </summary>
internal sealed class HashKnowingUploadStore(IUploadStore inner) : IUploadStore
{
    private readonly ConcurrentDictionary<string, string> _known = new();
    private int _reads;

    public int Reads => Volatile.Read(ref _reads);

    /// <summary>Runs before every read of an upload's content, with its id (say, a DELETE racing the worker).</summary>
    public Func<string, Task>? BeforeRead { get; set; }

    public void Know(string uploadId, string sha256) => _known[uploadId] = sha256;

    public async Task<UploadInfo?> GetAsync(string uploadId, CancellationToken cancellationToken)
    {
        var upload = await inner.GetAsync(uploadId, cancellationToken);
        return upload is not null && _known.TryGetValue(uploadId, out var sha256)
            ? upload with { ContentSha256 = sha256 }
            : upload;
    }

    public async Task<Stream> OpenReadAsync(
        UploadInfo upload,
        long start,
        long count,
        CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _reads);
        if (BeforeRead is { } beforeRead)
        {
            await beforeRead(upload.Id);
        }

        return await inner.OpenReadAsync(upload, start, count, cancellationToken);
    }

    public Task CreateAsync(UploadInfo upload, CancellationToken cancellationToken) =>
        inner.CreateAsync(upload, cancellationToken);

    public Task<UploadInfo> DeclareLengthAsync(string uploadId, long length, CancellationToken cancellationToken) =>
        inner.DeclareLengthAsync(uploadId, length, cancellationToken);

    public Task<IChunkWriter> OpenChunkAsync(
        UploadInfo upload,
        ChunkOptions options,
        CancellationToken cancellationToken) => inner.OpenChunkAsync(upload, options, cancellationToken);

    public Task<UploadInfo> FinishAsync(UploadInfo upload, CancellationToken cancellationToken) =>
        inner.FinishAsync(upload, cancellationToken);

    public Task<UploadInfo> MarkCompletionRecordedAsync(string uploadId, CancellationToken cancellationToken) =>
        inner.MarkCompletionRecordedAsync(uploadId, cancellationToken);

    public Task<UploadInfo> ConcatenateAsync(
        UploadInfo final,
        IReadOnlyList<UploadInfo> partials,
        CancellationToken cancellationToken) => inner.ConcatenateAsync(final, partials, cancellationToken);

    public Task DeleteAsync(string uploadId, CancellationToken cancellationToken) =>
        inner.DeleteAsync(uploadId, cancellationToken);

    public IAsyncEnumerable<UploadInfo> ListAsync(CancellationToken cancellationToken) =>
        inner.ListAsync(cancellationToken);
}
