namespace TusUpload.Protocol.Locking;

/// <summary>An exclusive right to change one upload. Disposing releases it.</summary>
public interface IUploadLock : IAsyncDisposable
{
    string UploadId { get; }

    /// <summary>
    /// Fires when another request asks for this upload, or when the lock can no longer be guaranteed (a lost
    /// lease). The holder then stops reading its body, saves what it has and disposes the lock.
    /// </summary>
    CancellationToken ReleaseRequested { get; }
}
