namespace TusUpload.Pipeline.Messaging.InProcess;

/// <summary>The worker hosted inside the server process (configuration section <c>Worker</c>).</summary>
public sealed class InProcessWorkerOptions
{
    public const string SectionName = "Worker";

    /// <summary>
    /// Run the worker inside the server. Default: true with <c>Pipeline:Queue=inprocess</c> (nothing else could
    /// consume that queue), false with <c>rabbitmq</c> (workers run as <c>TusUpload.Worker</c> processes).
    /// </summary>
    public bool? InProcess { get; set; }

    /// <summary>Uploads processed at the same time by the in-process worker. Default 2.</summary>
    public int Concurrency { get; set; } = 2;

    /// <summary>
    /// Deliveries of one event before its upload is marked failed. Default 6 (a quorum queue's limit 5, + 1).
    /// </summary>
    public int? MaxDeliveries { get; set; }

    /// <summary>Wait before the second delivery; doubles up to 30 seconds. Default 1 second.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    public int EffectiveMaxDeliveries => MaxDeliveries ?? 6;
}
