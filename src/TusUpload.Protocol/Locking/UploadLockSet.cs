namespace TusUpload.Protocol.Locking;

/// <summary>Locks held together for one request; disposing releases them all, the last taken first.</summary>
internal sealed class UploadLockSet : IAsyncDisposable
{
    private readonly List<IUploadLock> _locks = [];

    public void Add(IUploadLock uploadLock) => _locks.Add(uploadLock);

    public async ValueTask DisposeAsync()
    {
        // Every lock is released even when one release fails: a lock left held would refuse its upload's
        // writers (423) until the provider gives it up.
        List<Exception>? failures = null;
        for (var i = _locks.Count - 1; i >= 0; i--)
        {
            try
            {
                await _locks[i].DisposeAsync();
            }
            catch (Exception exception)
            {
                (failures ??= []).Add(exception);
            }
        }

        _locks.Clear();

        if (failures is not null)
        {
            throw failures.Count == 1 ? failures[0] : new AggregateException(failures);
        }
    }
}
