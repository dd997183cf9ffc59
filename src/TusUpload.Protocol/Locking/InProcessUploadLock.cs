namespace TusUpload.Protocol.Locking;

/// <summary>A held in-process lock; disposing it lets the next writer in.</summary>
internal sealed class InProcessUploadLock(string uploadId, CancellationTokenSource releaseSource, Action release)
    : IUploadLock
{
    private int _disposed;

    public string UploadId { get; } = uploadId;

    public CancellationToken ReleaseRequested { get; } = releaseSource.Token;

    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            release();
        }

        return ValueTask.CompletedTask;
    }
}
