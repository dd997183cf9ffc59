using TusUpload.Protocol.Storage;

namespace TusUpload.Protocol.Lifecycle;

/// <summary>Serves downloads from the upload's own data in the upload store.</summary>
public sealed class StoreContentSource(IUploadStore store) : IUploadContentSource
{
    public Task<Stream> OpenReadAsync(
        UploadInfo upload,
        UploadProcessingStatus? status,
        long start,
        long count,
        CancellationToken cancellationToken) =>
        store.OpenReadAsync(upload, start, count, cancellationToken);
}
