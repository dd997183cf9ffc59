using System.Diagnostics;
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
    private readonly Histogram<double> _lockWait;
    private readonly Counter<long> _lockRefusals;
    private readonly Counter<long> _handovers;
    private readonly Histogram<double> _lifecycleDuration;

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
        _lockWait = meter.CreateHistogram<double>(
            "tus_lock_wait_seconds",
            "s",
            "Time a mutating request waited for its upload's write lock, hand-over of the previous writer included.");
        _lockRefusals = meter.CreateCounter<long>(
            "tus_lock_refusals",
            null,
            "Requests answered 423 because the upload's writer did not hand over in time.");
        _handovers = meter.CreateCounter<long>(
            "tus_writer_handovers",
            null,
            "Bodies that stopped early, keeping their bytes, because a newer request for the upload asked.");
        _lifecycleDuration = meter.CreateHistogram<double>(
            "tus_lifecycle_duration_seconds",
            "s",
            "Time the lifecycle (the ledger, when the pipeline is on) took to record a notification, waits included.");
    }

    public void BytesReceived(long bytes) => _bytesReceived.Add(bytes);

    public void UploadCreated() => _created.Add(1);

    public void UploadCompleted() => _completed.Add(1);

    public void UploadTerminated() => _terminated.Add(1);

    public void UploadExpired() => _expired.Add(1);

    public void ChecksumMismatch() => _checksumMismatches.Add(1);

    public void BodyStarted() => _patchesInFlight.Add(1);

    public void BodyEnded() => _patchesInFlight.Add(-1);

    public void LockWaited(TimeSpan waited) => _lockWait.Record(waited.TotalSeconds);

    public void LockRefused() => _lockRefusals.Add(1);

    public void HandedOver() => _handovers.Add(1);

    /// <summary>
    /// Runs one lifecycle notification and records how long it took, by <paramref name="notification"/> and
    /// outcome (ok, failed, canceled): in a spike the ledger's records are a large share of a request's time, and
    /// this is where an SRE sees it.
    /// </summary>
    public async Task TimeLifecycleAsync(string notification, Func<Task> notify)
    {
        var started = Stopwatch.GetTimestamp();
        var outcome = "failed";
        try
        {
            await notify();
            outcome = "ok";
        }
        catch (OperationCanceledException)
        {
            outcome = "canceled";
            throw;
        }
        finally
        {
            _lifecycleDuration.Record(
                Stopwatch.GetElapsedTime(started).TotalSeconds,
                new KeyValuePair<string, object?>("notification", notification),
                new KeyValuePair<string, object?>("outcome", outcome));
        }
    }
}
