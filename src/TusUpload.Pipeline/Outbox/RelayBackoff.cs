namespace TusUpload.Pipeline.Outbox;

/// <summary>Exponential backoff with full jitter, so relays of many instances do not retry in step.</summary>
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
