namespace TusUpload.Pipeline.Outbox;

/// <summary>Wakes this instance's relay after a completion; rows of other instances wait for the poll.</summary>
public sealed class OutboxSignal
{
    private readonly SemaphoreSlim _pending = new(0, 1);

    private readonly Lock _gate = new();

    public void Notify()
    {
        // At most one pending wake-up: many completions during one relay pass need only one more pass. Checked
        // rather than caught: in a spike nearly every completion finds one pending, and a thrown and caught
        // SemaphoreFullException per upload was a measurable share of the server's CPU. Only this method raises
        // the count, under the gate, so the count seen cannot rise before the release.
        lock (_gate)
        {
            if (_pending.CurrentCount == 0)
            {
                _pending.Release();
            }
        }
    }

    /// <summary>
    /// Drops a pending wake-up. The relay calls it as a pass begins: that pass's claim sees every completion that
    /// committed before it, so the wake-up is answered, and only one that arrives later is news (see
    /// <see cref="OutboxRelay"/>'s backoff). A <see cref="Notify"/> that found this wake-up still pending and so
    /// added none is answered by the same pass, since its completion committed before it notified.
    /// </summary>
    public void Discard() => _pending.Wait(0);

    /// <summary>Waits for a notification or for <paramref name="timeout"/>, whichever comes first.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        _pending.WaitAsync(timeout, cancellationToken);
}
