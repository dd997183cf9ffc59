using System.Diagnostics.Metrics;

namespace TusUpload.Pipeline.Outbox;

/// <summary>Outbox instruments on the <c>TusUpload</c> meter.</summary>
public sealed class OutboxMetrics
{
    private readonly Histogram<double> _publishDuration;

    private readonly Counter<long> _published;

    private readonly Counter<long> _publishFailures;

    private readonly Counter<long> _pruned;

    private long _backlog;

    public OutboxMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create("TusUpload");
        _publishDuration = meter.CreateHistogram<double>(
            "tus_outbox_publish_duration_seconds",
            unit: "s",
            description: "Time from claiming an outbox batch to the broker's confirm of all of it.");
        _published = meter.CreateCounter<long>(
            "tus_outbox_published_total",
            description: "Outbox events published and confirmed.");
        _publishFailures = meter.CreateCounter<long>(
            "tus_outbox_publish_failures_total",
            description: "Outbox batches whose publish failed and will be retried.");
        _pruned = meter.CreateCounter<long>(
            "tus_outbox_pruned_total",
            description: "Sent outbox rows deleted after Ledger:SentOutboxRetention.");
        meter.CreateObservableGauge(
            "tus_outbox_backlog",
            () => Volatile.Read(ref _backlog),
            description: "Outbox events not yet confirmed by the broker, as the relay last counted them.");
    }

    public void Published(int count, TimeSpan duration)
    {
        _published.Add(count);
        _publishDuration.Record(duration.TotalSeconds);
    }

    public void PublishFailed() => _publishFailures.Add(1);

    public void Pruned(long count) => _pruned.Add(count);

    public void Backlog(long count) => Volatile.Write(ref _backlog, count);
}
