using System.Diagnostics.Metrics;

namespace TusUpload.Pipeline.Processing;

/// <summary>Instruments of the completion processor, on the <c>TusUpload</c> meter.</summary>
public sealed class ProcessingMetrics
{
    public const string MeterName = "TusUpload";

    private readonly Histogram<double> _duration;
    private readonly Counter<long> _consumed;
    private readonly Counter<long> _dedupHits;
    private readonly Counter<long> _verdicts;
    private readonly Counter<long> _failures;
    private readonly Counter<long> _deferred;
    private readonly Counter<long> _redriven;
    private readonly Counter<long> _parked;

    public ProcessingMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);

        var meter = meterFactory.Create(MeterName);
        _duration = meter.CreateHistogram<double>(
            "tus_processing_duration_seconds",
            unit: "s",
            description: "Time from taking a completed upload to committing its outcome.");
        _consumed = meter.CreateCounter<long>(
            "tus_processing_messages_consumed_total",
            description: "Upload completed events handed to the processor, redeliveries included.");
        _dedupHits = meter.CreateCounter<long>(
            "tus_processing_dedup_hits_total",
            description: "Uploads whose content was already stored and became duplicates.");
        _verdicts = meter.CreateCounter<long>(
            "tus_processing_verdicts_total",
            description: "Scan verdicts by outcome (clean, infected, unscanned when scanning is off).");
        _failures = meter.CreateCounter<long>(
            "tus_processing_failures_total",
            description: "Processing attempts that failed, by reason.");
        _deferred = meter.CreateCounter<long>(
            "tus_processing_deferred_total",
            description: "Deliveries deferred because a service was unavailable, by cause (scanner, store, ledger).");
        _redriven = meter.CreateCounter<long>(
            "tus_processing_redriven_total",
            description: "Dead letters of unfinished uploads returned to the work queue.");
        _parked = meter.CreateCounter<long>(
            "tus_processing_parked_total",
            description: "Dead letters parked for an operator, by reason.");
    }

    public void Consumed() => _consumed.Add(1);

    public void Completed(string state, double seconds)
    {
        _duration.Record(seconds, new KeyValuePair<string, object?>("state", state));
        if (state == "duplicate")
        {
            _dedupHits.Add(1);
        }
    }

    public void Verdict(string verdict) => _verdicts.Add(1, new KeyValuePair<string, object?>("verdict", verdict));

    public void Failure(string reason) => _failures.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void Deferred(string cause) => _deferred.Add(1, new KeyValuePair<string, object?>("cause", cause));

    public void Redriven() => _redriven.Add(1);

    public void Parked(string reason) => _parked.Add(1, new KeyValuePair<string, object?>("reason", reason));
}
