using System.Diagnostics.Metrics;

namespace TusUpload.Protocol.Diagnostics;

/// <summary>Instruments of the protocol layer on the <c>TusUpload</c> meter.</summary>
public sealed class TusMetrics
{
    public const string MeterName = "TusUpload";

    private readonly Counter<long> _bytesReceived;
    private readonly Counter<long> _created;
    private readonly Counter<long> _completed;
    private readonly Counter<long> _terminated;
    private readonly Counter<long> _expired;
    private readonly Counter<long> _checksumMismatches;
    private readonly UpDownCounter<long> _patchesInFlight;

    public TusMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _bytesReceived = meter.CreateCounter<long>("tus_bytes_received", "By", "Body bytes durably stored.");
        _created = meter.CreateCounter<long>("tus_uploads_created", null, "Uploads created.");
        _completed = meter.CreateCounter<long>("tus_uploads_completed", null, "Completions recorded.");
        _terminated = meter.CreateCounter<long>("tus_uploads_terminated", null, "Uploads deleted by clients.");
        _expired = meter.CreateCounter<long>("tus_uploads_expired", null, "Expired uploads swept.");
        _checksumMismatches = meter.CreateCounter<long>(
            "tus_checksum_mismatches",
            null,
            "Chunks discarded because their checksum did not match.");
        _patchesInFlight = meter.CreateUpDownCounter<long>(
            "tus_patches_in_flight",
            null,
            "Requests currently streaming a body into the store.");
    }

    public void BytesReceived(long bytes) => _bytesReceived.Add(bytes);

    public void UploadCreated() => _created.Add(1);

    public void UploadCompleted() => _completed.Add(1);

    public void UploadTerminated() => _terminated.Add(1);

    public void UploadExpired() => _expired.Add(1);

    public void ChecksumMismatch() => _checksumMismatches.Add(1);

    public void BodyStarted() => _patchesInFlight.Add(1);

    public void BodyEnded() => _patchesInFlight.Add(-1);
}
