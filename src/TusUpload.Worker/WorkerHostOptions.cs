namespace TusUpload.Worker;

/// <summary>Process-level settings of the worker; section <c>Worker</c> (shared with the processing options).</summary>
public sealed class WorkerHostOptions
{
    public const string SectionName = "Worker";

    /// <summary>Address the Prometheus <c>/metrics</c> endpoint listens on. Default: 127.0.0.1.</summary>
    public string MetricsHost { get; set; } = "127.0.0.1";

    /// <summary>Port of the <c>/metrics</c> endpoint; 0 turns it off. Default: 9464.</summary>
    public int MetricsPort { get; set; } = 9464;

    /// <summary>Throws when a setting is out of range, naming the setting.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(MetricsHost))
        {
            throw new ArgumentException("Worker:MetricsHost must name an address.", nameof(MetricsHost));
        }

        if (MetricsPort is < 0 or > 65535)
        {
            throw new ArgumentOutOfRangeException(
                nameof(MetricsPort),
                MetricsPort,
                "Worker:MetricsPort must be 0–65535.");
        }
    }
}
