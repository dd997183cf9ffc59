using System.Collections.Concurrent;
using TusUpload.Protocol.Storage;

namespace TusUpload.Protocol.Tests.Handlers;

/// <summary>
/// A store holding complete partial uploads, in which another server instance creates a final upload in the
/// instant between this instance's read of it and its own creation: <see cref="CreateAsync"/> stores the other
/// instance's record of the final and then refuses ours with <see cref="UploadStoreError.AlreadyExists"/>, as the
/// disk and S3 stores do for an id that exists. Concatenation and the completion mark work on what is stored.
/// </summary>
internal sealed class RacedFinalStore(IEnumerable<UploadInfo> partials, DateTimeOffset otherInstanceCreatedAt)
    : IUploadStore
{
    private readonly ConcurrentDictionary<string, UploadInfo> _uploads =
        new(partials.Select(partial => KeyValuePair.Create(partial.Id, partial)));

    public int CreateAttempts { get; private set; }

    /// <summary>The final uploads given to <see cref="ConcatenateAsync"/>, in order.</summary>
    public List<UploadInfo> Concatenated { get; } = [];

    public Task<UploadInfo?> GetAsync(string uploadId, CancellationToken cancellationToken) =>
        Task.FromResult(_uploads.GetValueOrDefault(uploadId));

    public Task CreateAsync(UploadInfo upload, CancellationToken cancellationToken)
    {
        CreateAttempts++;
        _uploads[upload.Id] = upload with { CreatedAt = otherInstanceCreatedAt };
        throw new UploadStoreException(UploadStoreError.AlreadyExists, $"Upload {upload.Id} exists already.");
    }

    public Task<UploadInfo> ConcatenateAsync(
        UploadInfo final,
        IReadOnlyList<UploadInfo> partials,
        CancellationToken cancellationToken)
    {
        Concatenated.Add(final);
        var filled = final with { Offset = partials.Sum(partial => partial.Length!.Value) };
        _uploads[final.Id] = filled;
        return Task.FromResult(filled);
    }

    public Task<UploadInfo> FinishAsync(UploadInfo upload, CancellationToken cancellationToken) =>
        Task.FromResult(upload);

    public Task<UploadInfo> MarkCompletionRecordedAsync(string uploadId, CancellationToken cancellationToken)
    {
        var recorded = _uploads[uploadId] with { CompletionRecorded = true };
        _uploads[uploadId] = recorded;
        return Task.FromResult(recorded);
    }

    public Task<UploadInfo> DeclareLengthAsync(string uploadId, long length, CancellationToken cancellationToken) =>
        throw NotForFinalCreation();

    public Task<IChunkWriter> OpenChunkAsync(
        UploadInfo upload,
        ChunkOptions options,
        CancellationToken cancellationToken) =>
        throw NotForFinalCreation();

    public Task<Stream> OpenReadAsync(UploadInfo upload, long start, long count, CancellationToken cancellationToken) =>
        throw NotForFinalCreation();

    public IAsyncEnumerable<UploadInfo> ListAsync(CancellationToken cancellationToken) => throw NotForFinalCreation();

    public Task DeleteAsync(string uploadId, CancellationToken cancellationToken) => throw NotForFinalCreation();

    private static NotSupportedException NotForFinalCreation() =>
        new("A final upload's creation never calls this.");
}
