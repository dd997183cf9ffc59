namespace TusUpload.Protocol.Locking;

/// <summary>Grants one writer per upload, in one process or across many.</summary>
public interface IUploadLockProvider
{
    /// <summary>
    /// Takes the lock for <paramref name="uploadId"/>. If another request holds it, asks that holder to release
    /// and waits at most <paramref name="takeoverTimeout"/>; returns null when the lock could not be had (423).
    /// </summary>
    Task<IUploadLock?> AcquireAsync(string uploadId, TimeSpan takeoverTimeout, CancellationToken cancellationToken);
}
