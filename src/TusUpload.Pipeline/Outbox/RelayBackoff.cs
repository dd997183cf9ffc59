namespace TusUpload.Pipeline.Outbox;

/// <summary>
/// Exponential backoff, each wait jittered to between half and all of its step, so that the relays, consumers and
/// workers of many instances that met the same failure do not retry in step.
/// </summary>
public static class RelayBackoff
{
    public static TimeSpan Delay(int failures, TimeSpan initial, TimeSpan max)
    {
        var exponent = Math.Min(failures - 1, 20);
        var ceiling = Math.Min(initial.TotalMilliseconds * Math.Pow(2, exponent), max.TotalMilliseconds);
        var jittered = (ceiling / 2) + (Random.Shared.NextDouble() * ceiling / 2);
        return TimeSpan.FromMilliseconds(jittered);
    }
}
