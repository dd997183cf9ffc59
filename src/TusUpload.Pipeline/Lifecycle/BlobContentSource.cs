using TusUpload.Protocol.Lifecycle;
using TusUpload.Protocol.Storage;

namespace TusUpload.Pipeline.Lifecycle;

/// <summary>
/// Serves processed uploads from their content-addressed blob: a duplicate has no data of its own, and an available
/// upload's data may already be released. Uploads the ledger does not know (stored before the pipeline ran) are
/// served from the upload store as before.
/// </summary>
public sealed class BlobContentSource(IBlobStore blobs, IUploadStore store) : IUploadContentSource
{
    public Task<Stream> OpenReadAsync(
        UploadInfo upload,
        UploadProcessingStatus? status,
        long start,
        long count,
        CancellationToken cancellationToken)
    {
        if (status is null)
        {
            return store.OpenReadAsync(upload, start, count, cancellationToken);
        }

        // The download handler asks only for downloadable content; refusing anything else here keeps quarantined or
        // unscanned bytes from being served should a caller ever skip that check.
        if (!status.Downloadable || status.ContentSha256 is not { } sha256)
        {
            throw new InvalidOperationException(
                $"Upload {upload.Id} is {status.State}; only available or duplicate content is served.");
        }

        return blobs.OpenReadAsync(sha256, start, count, cancellationToken);
    }
}
