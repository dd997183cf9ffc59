namespace TusUpload.Protocol.Storage;

/// <summary>
/// Content-addressed blobs beside the upload store: each distinct content is kept once, under its SHA-256.
/// Every method is idempotent so that a redelivered processing message can repeat it safely.
/// </summary>
public interface IBlobStore
{
    /// <summary>
    /// Makes the complete upload's bytes the blob for <paramref name="sha256"/> (by move or server-side copy)
    /// unless that blob exists already. The upload's own data stays until <see cref="ReleaseUploadDataAsync"/>.
    /// </summary>
    Task PromoteAsync(UploadInfo upload, string sha256, CancellationToken cancellationToken);

    Task<bool> ExistsAsync(string sha256, CancellationToken cancellationToken);

    Task<Stream> OpenReadAsync(string sha256, long start, long count, CancellationToken cancellationToken);

    /// <summary>Frees the data of an upload whose content now lives in a blob; its tus state stays readable.</summary>
    Task ReleaseUploadDataAsync(string uploadId, CancellationToken cancellationToken);

    Task DeleteAsync(string sha256, CancellationToken cancellationToken);
}
