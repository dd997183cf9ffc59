namespace TusUpload.Protocol.Storage;

/// <summary>
/// The seam between the tus protocol and where bytes live. Callers hold the upload's write lock for every
/// mutating call; implementations must keep <see cref="UploadInfo.Offset"/> equal to the durable byte count.
/// </summary>
public interface IUploadStore
{
    /// <summary>Persists a new upload. Throws <see cref="UploadStoreException"/> if the id exists.</summary>
    Task CreateAsync(UploadInfo upload, CancellationToken cancellationToken);

    /// <summary>Returns the upload's durable state, or null when it does not exist.</summary>
    Task<UploadInfo?> GetAsync(string uploadId, CancellationToken cancellationToken);

    /// <summary>Sets the length of a deferred-length upload.</summary>
    Task<UploadInfo> DeclareLengthAsync(string uploadId, long length, CancellationToken cancellationToken);

    /// <summary>
    /// Starts receiving one chunk at the upload's current offset. A <see cref="ChunkOptions.DeclaredLength"/> must
    /// suit the upload as <see cref="DeclareLengthAsync"/> requires (else <see cref="UploadStoreException"/>), and is
    /// stored by the chunk's commit only.
    /// </summary>
    Task<IChunkWriter> OpenChunkAsync(UploadInfo upload, ChunkOptions options, CancellationToken cancellationToken);

    /// <summary>
    /// Makes a complete upload's content whole before its completion is recorded downstream, so that nothing is ever
    /// reported complete that cannot be read (the S3 store assembles its multipart upload here, if a crash left it
    /// unassembled). Returns the upload as stored. Throws <see cref="UploadStoreException"/> with
    /// <see cref="UploadStoreError.Rewound"/> when stored bytes were found lost and the upload is incomplete again.
    /// </summary>
    Task<UploadInfo> FinishAsync(UploadInfo upload, CancellationToken cancellationToken);

    /// <summary>Remembers that the completion of the upload was accepted downstream.</summary>
    Task<UploadInfo> MarkCompletionRecordedAsync(string uploadId, CancellationToken cancellationToken);

    /// <summary>Fills a final upload with the bytes of its partials in order and completes it.</summary>
    Task<UploadInfo> ConcatenateAsync(
        UploadInfo final,
        IReadOnlyList<UploadInfo> partials,
        CancellationToken cancellationToken);

    /// <summary>Opens <paramref name="count"/> bytes of a complete upload from <paramref name="start"/>.</summary>
    Task<Stream> OpenReadAsync(UploadInfo upload, long start, long count, CancellationToken cancellationToken);

    /// <summary>Removes the upload and every helper object; no error when it is already gone.</summary>
    Task DeleteAsync(string uploadId, CancellationToken cancellationToken);

    /// <summary>
    /// Lists the uploads the store holds, for sweeping and recovery. A store may leave out an upload it listed
    /// before as settled (complete, its completion recorded, not a partial) that has not changed since: nothing a
    /// sweep does applies to it any more. (The S3 store does, to spare one GET per kept upload and sweep.)
    /// </summary>
    IAsyncEnumerable<UploadInfo> ListAsync(CancellationToken cancellationToken);
}
