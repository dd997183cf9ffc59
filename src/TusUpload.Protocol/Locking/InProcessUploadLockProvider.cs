namespace TusUpload.Protocol.Locking;

/// <summary>
/// One writer per upload within this process. A newcomer asks the holder to release (its
/// <see cref="IUploadLock.ReleaseRequested"/> fires) and waits up to the takeover timeout. Several servers
/// sharing one store need a distributed provider instead.
/// </summary>
public sealed class InProcessUploadLockProvider : IUploadLockProvider
{
    // Repeating the release request while waiting covers a holder that took the lock after our first request.
    private static readonly TimeSpan s_retryInterval = TimeSpan.FromMilliseconds(50);

    private readonly Dictionary<string, InProcessUploadLockEntry> _entries = new(StringComparer.Ordinal);

    public async Task<IUploadLock?> AcquireAsync(
        string uploadId,
        TimeSpan takeoverTimeout,
        CancellationToken cancellationToken)
    {
        var entry = Reference(uploadId);
        try
        {
            if (await entry.Gate.WaitAsync(TimeSpan.Zero, cancellationToken))
            {
                return Grant(entry);
            }

            // A zero timeout means "only if free": the holder is left undisturbed.
            if (takeoverTimeout <= TimeSpan.Zero)
            {
                Unreference(entry);
                return null;
            }

            var deadline = DateTimeOffset.UtcNow + takeoverTimeout;
            while (true)
            {
                entry.RequestRelease();

                var remaining = deadline - DateTimeOffset.UtcNow;
                if (remaining <= TimeSpan.Zero)
                {
                    Unreference(entry);
                    return null;
                }

                var slice = remaining < s_retryInterval ? remaining : s_retryInterval;
                if (await entry.Gate.WaitAsync(slice, cancellationToken))
                {
                    return Grant(entry);
                }
            }
        }
        catch (OperationCanceledException)
        {
            Unreference(entry);
            throw;
        }
    }

    private InProcessUploadLock Grant(InProcessUploadLockEntry entry)
    {
        var releaseSource = entry.BeginHolding();
        return new InProcessUploadLock(entry.UploadId, releaseSource, () => Release(entry));
    }

    private void Release(InProcessUploadLockEntry entry)
    {
        entry.EndHolding();
        entry.Gate.Release();
        Unreference(entry);
    }

    private InProcessUploadLockEntry Reference(string uploadId)
    {
        lock (_entries)
        {
            if (!_entries.TryGetValue(uploadId, out var entry))
            {
                entry = new InProcessUploadLockEntry(uploadId);
                _entries.Add(uploadId, entry);
            }

            entry.References++;
            return entry;
        }
    }

    private void Unreference(InProcessUploadLockEntry entry)
    {
        lock (_entries)
        {
            entry.References--;
            if (entry.References == 0)
            {
                _entries.Remove(entry.UploadId);
                entry.Gate.Dispose();
            }
        }
    }
}
