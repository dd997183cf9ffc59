namespace TusUpload.Pipeline.IntegrationTests.Outbox;

/// <summary>
/// One timer of <see cref="SteppedTimers"/>: armed with its due time until it is fired, changed or disposed.
/// </summary>
internal sealed class SteppedTimer(SteppedTimers clock, TimerCallback callback, object? state) : ITimer
{
    public TimeSpan DueTime { get; private set; } = Timeout.InfiniteTimeSpan;

    public bool Change(TimeSpan dueTime, TimeSpan period)
    {
        // The relay's waits are one-shot; a periodic timer would need firing rules this clock does not have.
        if (period != Timeout.InfiniteTimeSpan)
        {
            throw new NotSupportedException("SteppedTimers has one-shot timers only.");
        }

        DueTime = dueTime;
        if (dueTime == Timeout.InfiniteTimeSpan)
        {
            clock.Disarm(this);
        }
        else
        {
            clock.Arm(this);
        }

        return true;
    }

    public void Fire()
    {
        clock.Disarm(this);
        callback(state);
    }

    public void Dispose() => clock.Disarm(this);

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
