namespace TusUpload.Pipeline.IntegrationTests.Outbox;

/// <summary>
/// A clock whose timers fire only when the test fires them, and which tells the test what each was set to: the
/// relay's backoffs (<c>Task.Delay</c> on its <see cref="TimeProvider"/>) become steps the test takes, with no
/// wall-clock wait and nothing left to chance. The wall clock and timestamps stay the system's.
/// </summary>
internal sealed class SteppedTimers : TimeProvider
{
    private readonly Lock _gate = new();

    private readonly List<SteppedTimer> _armed = [];

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new SteppedTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>
    /// Waits until a timer is armed and returns what it was set to, without firing it; fails after
    /// <paramref name="limit"/>.
    /// </summary>
    public async Task<TimeSpan> NextAsync(TimeSpan limit)
    {
        var armed = await RelayHarness.EventuallyAsync(() => Armed() is not null, limit);
        Assert.True(armed, $"no timer was armed within {limit}");
        return Armed()!.DueTime;
    }

    /// <summary>Fires the timer armed first: the wait it stands for is over.</summary>
    public void FireNext()
    {
        var timer = Armed() ?? throw new InvalidOperationException("No timer is armed.");
        timer.Fire();
    }

    internal void Arm(SteppedTimer timer)
    {
        lock (_gate)
        {
            if (!_armed.Contains(timer))
            {
                _armed.Add(timer);
            }
        }
    }

    internal void Disarm(SteppedTimer timer)
    {
        lock (_gate)
        {
            _armed.Remove(timer);
        }
    }

    private SteppedTimer? Armed()
    {
        lock (_gate)
        {
            return _armed.Count > 0 ? _armed[0] : null;
        }
    }
}
