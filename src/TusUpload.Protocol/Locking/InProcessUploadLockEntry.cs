namespace TusUpload.Protocol.Locking;

/// <summary>The lock state of one upload: a gate, and the current holder's release signal.</summary>
internal sealed class InProcessUploadLockEntry(string uploadId)
{
    private readonly Lock _sync = new();
    private CancellationTokenSource? _holderRelease;

    public string UploadId { get; } = uploadId;

    public SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>Requests waiting for or holding this entry; guarded by the provider's dictionary lock.</summary>
    public int References { get; set; }

    public CancellationTokenSource BeginHolding()
    {
        lock (_sync)
        {
            _holderRelease = new CancellationTokenSource();
            return _holderRelease;
        }
    }

    public void EndHolding()
    {
        lock (_sync)
        {
            _holderRelease?.Dispose();
            _holderRelease = null;
        }
    }

    public void RequestRelease()
    {
        lock (_sync)
        {
            _holderRelease?.Cancel();
        }
    }
}
