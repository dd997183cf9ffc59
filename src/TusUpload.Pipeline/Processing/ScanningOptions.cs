namespace TusUpload.Pipeline.Processing;

/// <summary>
/// Whether completed uploads are scanned; section <c>ClamAV</c>, which also holds the clamd client's settings
/// (Host, Port, ConnectTimeout, ReadTimeout, ChunkSize, MaxStreamLength).
/// </summary>
public sealed class ScanningOptions
{
    public const string SectionName = "ClamAV";

    /// <summary>
    /// Scan every completed upload with clamd before it becomes available. Default: false, so the embedded
    /// default runs with no external service; production sets it to true.
    /// </summary>
    public bool Enabled { get; set; }
}
