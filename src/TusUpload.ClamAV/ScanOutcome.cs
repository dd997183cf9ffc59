namespace TusUpload.ClamAV;

/// <summary>What a scan concluded.</summary>
public enum ScanOutcome
{
    /// <summary>clamd scanned every byte and found nothing.</summary>
    Clean,

    /// <summary>clamd matched a signature.</summary>
    Infected,

    /// <summary>No conclusion (limit exceeded, clamd error, unexpected reply); never treat as clean.</summary>
    Error,
}
