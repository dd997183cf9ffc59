using TusUpload.Protocol.Storage;

namespace TusUpload.Protocol.Lifecycle;

/// <summary>
/// Opens the bytes a download serves. By default that is the upload's own data in the store; once uploads
/// are deduplicated into content-addressed blobs the pipeline supplies a source that reads the blob.
/// </summary>
public interface IUploadContentSource
{
    Task<Stream> OpenReadAsync(
        UploadInfo upload,
        UploadProcessingStatus? status,
        long start,
        long count,
        CancellationToken cancellationToken);
}
