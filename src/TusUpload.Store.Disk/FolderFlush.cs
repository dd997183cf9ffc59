namespace TusUpload.Store.Disk;

/// <summary>
/// Group commit for one folder's fsync. Callers that arrive while a flush runs share the next one, which starts
/// after all of them arrived and therefore covers every name they created, renamed or removed. A spike of 100
/// creations costs a few folder fsyncs instead of 100; a lone caller waits for exactly one.
/// </summary>
internal sealed class FolderFlush(string folder)
{
    private readonly Lock _gate = new();
    private TaskCompletionSource? _next;
    private bool _flushing;

    public string Folder { get; } = folder;

    public Task FlushAsync()
    {
        lock (_gate)
        {
            _next ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var waiter = _next.Task;
            if (!_flushing)
            {
                _flushing = true;
                _ = DeviceWaits.RunAsync(FlushWhileWaited);
            }

            return waiter;
        }
    }

    private void FlushWhileWaited()
    {
        while (true)
        {
            TaskCompletionSource batch;
            lock (_gate)
            {
                if (_next is null)
                {
                    _flushing = false;
                    return;
                }

                batch = _next;
                _next = null;
            }

            try
            {
                DirectorySync.Flush(Folder);
                batch.SetResult();
            }
            catch (Exception exception)
            {
                batch.SetException(exception);
            }
        }
    }
}
