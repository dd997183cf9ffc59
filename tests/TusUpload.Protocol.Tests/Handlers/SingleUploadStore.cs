using System.Runtime.CompilerServices;
using TusUpload.Protocol.Storage;

namespace TusUpload.Protocol.Tests.Handlers;

/// <summary>
/// A store holding one upload, enough for a DELETE or a sweep: it can be listed, read and deleted, nothing else.
/// With <paramref name="failAfterRemoving"/> its delete fails once the upload is gone, as a failed folder sync
/// does; with <paramref name="deleteHangs"/> it never returns until its token is cancelled, as a stalled S3 call
/// does; with <paramref name="hangAfterRemoving"/> it removes the upload first, as an S3 DELETE of the info object
/// that S3 carried out but whose answer never arrived. <paramref name="cancelOnRemoving"/> is cancelled once the
/// upload is gone, as a shutdown arriving at that moment would cancel a sweep; <paramref name="beforeRemoving"/>
/// runs when a delete begins; <paramref name="readFails"/> is thrown by every read, as by a store that is down.
/// </summary>
internal sealed class SingleUploadStore(
    UploadInfo upload,
    bool failAfterRemoving = false,
    bool deleteHangs = false,
    bool hangAfterRemoving = false,
    CancellationTokenSource? cancelOnRemoving = null,
    Action? beforeRemoving = null,
    UploadStoreException? readFails = null) : IUploadStore
{
    private UploadInfo? _upload = upload;

    public bool Deleted => _upload is null;

    public Task<UploadInfo?> GetAsync(string uploadId, CancellationToken cancellationToken) => readFails is null
        ? Task.FromResult(_upload?.Id == uploadId ? _upload : null)
        : Task.FromException<UploadInfo?>(readFails);

    public Task DeleteAsync(string uploadId, CancellationToken cancellationToken)
    {
        beforeRemoving?.Invoke();
        if (hangAfterRemoving)
        {
            _upload = null;
        }

        if (deleteHangs || hangAfterRemoving)
        {
            return Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
        }

        cancellationToken.ThrowIfCancellationRequested();
        _upload = null;
        cancelOnRemoving?.Cancel();
        return failAfterRemoving
            ? Task.FromException(new UploadStoreException(UploadStoreError.Unavailable, "The folder sync failed."))
            : Task.CompletedTask;
    }

    public Task CreateAsync(UploadInfo upload, CancellationToken cancellationToken) => throw NotForDelete();

    public Task<UploadInfo> DeclareLengthAsync(string uploadId, long length, CancellationToken cancellationToken) =>
        throw NotForDelete();

    public Task<IChunkWriter> OpenChunkAsync(
        UploadInfo upload,
        ChunkOptions options,
        CancellationToken cancellationToken) =>
        throw NotForDelete();

    public Task<UploadInfo> FinishAsync(UploadInfo upload, CancellationToken cancellationToken) =>
        throw NotForDelete();

    public Task<UploadInfo> MarkCompletionRecordedAsync(string uploadId, CancellationToken cancellationToken) =>
        throw NotForDelete();

    public Task<UploadInfo> ConcatenateAsync(
        UploadInfo final,
        IReadOnlyList<UploadInfo> partials,
        CancellationToken cancellationToken) =>
        throw NotForDelete();

    public Task<Stream> OpenReadAsync(UploadInfo upload, long start, long count, CancellationToken cancellationToken) =>
        throw NotForDelete();

    public async IAsyncEnumerable<UploadInfo> ListAsync(
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        if (_upload is { } listed)
        {
            yield return listed;
        }
    }

    private static NotSupportedException NotForDelete() => new("Neither a DELETE nor an expiry sweep calls this.");
}
