using TusUpload.Protocol.Locking;
using TusUpload.Protocol.Parsing;
using TusUpload.Protocol.Storage;

namespace TusUpload.Protocol.Body;

/// <summary>One body to store: the upload as read under the lock, the lock, the byte budget and the checksum.</summary>
/// <param name="Upload">The upload's state read after the lock was taken.</param>
/// <param name="Lock">The held write lock; its release request ends the read.</param>
/// <param name="MaxBytes">Bytes the upload may still take.</param>
/// <param name="Checksum">The <c>Upload-Checksum</c> header, when sent.</param>
/// <param name="ChecksumInTrailer">True when the checksum is announced as a trailer of a chunked body.</param>
/// <param name="DeclaredLength">
/// A length the request declares for the deferred-length <paramref name="Upload"/>; stored only with the commit.
/// </param>
public sealed record ChunkRequest(
    UploadInfo Upload,
    IUploadLock Lock,
    long MaxBytes,
    ChecksumHeader? Checksum,
    bool ChecksumInTrailer,
    long? DeclaredLength = null);
