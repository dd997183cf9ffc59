using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TusUpload.Protocol.Diagnostics;
using TusUpload.Protocol.Lifecycle;
using TusUpload.Protocol.Locking;
using TusUpload.Protocol.Storage;

namespace TusUpload.Protocol.Http;

/// <summary>Takes an upload's write lock for a mutating request (423 when the holder does not hand over).</summary>
public sealed class UploadWriteAccess(
    IUploadLockProvider locks,
    IUploadStore store,
    UploadStatusReader statuses,
    IOptions<TusOptions> options,
    TusMetrics metrics,
    ILogger<UploadWriteAccess> logger)
{
    public async Task<IUploadLock> AcquireAsync(string uploadId, CancellationToken cancellationToken)
    {
        var startedAt = Stopwatch.GetTimestamp();
        var uploadLock = await locks.AcquireAsync(uploadId, options.Value.LockTakeoverTimeout, cancellationToken);
        metrics.LockWaited(Stopwatch.GetElapsedTime(startedAt));
        if (uploadLock is null)
        {
            metrics.LockRefused();
            TusLog.Locked(logger, uploadId);
            throw new TusRejection(423, "Another request is writing to this upload; retry shortly.");
        }

        return uploadLock;
    }

    /// <summary>
    /// Takes the locks of several uploads, each once and in ordinal order of their ids: two requests that share
    /// uploads then never each hold one the other is waiting for, whichever order they list them in. A refusal
    /// or cancellation releases the locks taken so far; disposing the result releases them all.
    /// </summary>
    public async Task<IAsyncDisposable> AcquireAllAsync(
        IEnumerable<string> uploadIds,
        CancellationToken cancellationToken)
    {
        var held = new UploadLockSet();
        try
        {
            foreach (var uploadId in uploadIds.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            {
                held.Add(await AcquireAsync(uploadId, cancellationToken));
            }

            return held;
        }
        catch
        {
            await held.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Reads the upload's durable state (after the lock was taken, so decisions see the latest; or before, to
    /// refuse without disturbing the writer). A missing upload is 410 when it expired, else 404.
    /// </summary>
    public async Task<UploadInfo> LoadAsync(string uploadId, CancellationToken cancellationToken) =>
        await store.GetAsync(uploadId, cancellationToken)
            ?? throw await statuses.MissingAsync(uploadId, cancellationToken);
}
