namespace TusUpload.Pipeline.IntegrationTests.Ledger;

/// <summary>
/// A wall clock that moves only when told, so a test can mark outbox rows sent "days ago" without waiting.
/// Timers and timestamps stay the system's: delays still pass in real time.
/// </summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private long _ticks = start.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}
