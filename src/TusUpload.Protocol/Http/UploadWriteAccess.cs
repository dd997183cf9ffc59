using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TusUpload.Protocol.Diagnostics;
using TusUpload.Protocol.Locking;
using TusUpload.Protocol.Storage;

namespace TusUpload.Protocol.Http;

/// <summary>Takes an upload's write lock for a mutating request (423 when the holder does not hand over).</summary>
public sealed class UploadWriteAccess(
    IUploadLockProvider locks,
    IUploadStore store,
    IOptions<TusOptions> options,
    ILogger<UploadWriteAccess> logger)
{
    public async Task<IUploadLock> AcquireAsync(string uploadId, CancellationToken cancellationToken)
    {
        var uploadLock = await locks.AcquireAsync(uploadId, options.Value.LockTakeoverTimeout, cancellationToken);
        if (uploadLock is null)
        {
            TusLog.Locked(logger, uploadId);
            throw new TusRejection(423, "Another request is writing to this upload; retry shortly.");
        }

        return uploadLock;
    }

    /// <summary>Reads the upload after the lock was taken, so decisions see the latest durable state.</summary>
    public async Task<UploadInfo> LoadAsync(string uploadId, CancellationToken cancellationToken) =>
        await store.GetAsync(uploadId, cancellationToken) ?? throw TusRejection.NotFound();
}
