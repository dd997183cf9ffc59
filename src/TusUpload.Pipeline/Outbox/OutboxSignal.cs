namespace TusUpload.Pipeline.Outbox;

/// <summary>Wakes this instance's relay after a completion; rows of other instances wait for the poll.</summary>
public sealed class OutboxSignal
{
    private readonly SemaphoreSlim _pending = new(0, 1);

    public void Notify()
    {
        // At most one pending wake-up: many completions during one relay pass need only one more pass.
        try
        {
            _pending.Release();
        }
        catch (SemaphoreFullException)
        {
        }
    }

    /// <summary>Waits for a notification or for <paramref name="timeout"/>, whichever comes first.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        _pending.WaitAsync(timeout, cancellationToken);
}
