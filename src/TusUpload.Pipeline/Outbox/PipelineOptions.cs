namespace TusUpload.Pipeline.Outbox;

/// <summary>The queue between server and workers, and the relay that feeds it (section <c>Pipeline</c>).</summary>
public sealed class PipelineOptions
{
    public const string SectionName = "Pipeline";

    /// <summary>
    /// <c>inprocess</c> (default: a bounded queue in the server) or <c>rabbitmq</c> (section <c>RabbitMq</c>).
    /// </summary>
    public string Queue { get; set; } = PipelineQueues.InProcess;

    /// <summary>Capacity of the in-process queue; a full queue makes the relay wait. Default 1024.</summary>
    public int InProcessQueueCapacity { get; set; } = 1024;

    /// <summary>Outbox rows the relay claims and publishes at once. Default 100.</summary>
    public int OutboxBatchSize { get; set; } = 100;

    /// <summary>
    /// How often the relay looks for rows that other server instances wrote (its own completions wake it at once).
    /// Default 1 second.
    /// </summary>
    public TimeSpan OutboxPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// First wait after a failed publish; doubles (jittered) up to <see cref="RelayMaxBackoff"/>. Default 200 ms.
    /// </summary>
    public TimeSpan RelayInitialBackoff { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest wait between publish attempts while the broker is down. Default 30 seconds.</summary>
    public TimeSpan RelayMaxBackoff { get; set; } = TimeSpan.FromSeconds(30);
}
