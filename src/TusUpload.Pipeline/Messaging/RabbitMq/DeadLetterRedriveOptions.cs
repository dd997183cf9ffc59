namespace TusUpload.Pipeline.Messaging.RabbitMq;

/// <summary>
/// The redrive of messages the work queue's delivery limit dead-lettered while their upload is unfinished; section
/// <c>RabbitMq:Redrive</c>.
/// </summary>
public sealed class DeadLetterRedriveOptions
{
    /// <summary>The largest <see cref="MaxRedrives"/> accepted.</summary>
    public const int MaxRedrivesLimit = 20;

    /// <summary>Whether workers consume the dead-letter queue, redriving or parking each one. Default: true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Redrives of one message before its upload is marked failed and the message parked; 0 never redrives.
    /// Default: 3.
    /// </summary>
    public int MaxRedrives { get; set; } = 3;

    /// <summary>
    /// Wait after a dead-lettering before the message is redriven, doubling with each earlier redrive, so that a
    /// crash loop cannot use up <see cref="MaxRedrives"/> within seconds. Default: 30 seconds.
    /// </summary>
    public TimeSpan Delay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Throws when a setting is out of range, naming the setting.</summary>
    public void Validate()
    {
        if (MaxRedrives is < 0 or > MaxRedrivesLimit)
        {
            throw new ArgumentOutOfRangeException(
                nameof(MaxRedrives),
                MaxRedrives,
                $"RabbitMq:Redrive:MaxRedrives must be 0–{MaxRedrivesLimit}.");
        }

        if (Delay < TimeSpan.Zero || Delay > TimeSpan.FromHours(1))
        {
            throw new ArgumentOutOfRangeException(
                nameof(Delay),
                Delay,
                "RabbitMq:Redrive:Delay must be between 0 and an hour.");
        }
    }
}
