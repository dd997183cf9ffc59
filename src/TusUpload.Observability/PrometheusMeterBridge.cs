using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Prometheus;

namespace TusUpload.Observability;

/// <summary>
/// Publishes the <c>TusUpload*</c> meters on <c>/metrics</c> under their own instrument names (<c>tus_…</c>).
/// prometheus-net 8.2.1's built-in meter adapter connected to these instruments on .NET 10 but exported none
/// of their measurements, so this listener feeds prometheus-net collectors directly.
/// </summary>
public sealed class PrometheusMeterBridge : IDisposable
{
    private static readonly Lock StartLock = new();
    private static PrometheusMeterBridge? _running;

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Instrument, InstrumentExport> _exports = new();
    private readonly CollectorRegistry _registry;
    private readonly string _meterPrefix;

    private PrometheusMeterBridge(CollectorRegistry registry, string meterPrefix)
    {
        _registry = registry;
        _meterPrefix = meterPrefix;
        _listener.InstrumentPublished = OnInstrumentPublished;
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<float>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();

        registry.AddBeforeCollectCallback(_listener.RecordObservableInstruments);
    }

    /// <summary>
    /// One bridge per process: a listener sees the meters of every host in the process, so a second one (two
    /// hosts in one test process) would count every measurement twice.
    /// </summary>
    public static void StartOnce(CollectorRegistry registry, string meterPrefix)
    {
        lock (StartLock)
        {
            _running ??= new PrometheusMeterBridge(registry, meterPrefix);
        }
    }

    public void Dispose() => _listener.Dispose();

    private void OnInstrumentPublished(Instrument instrument, MeterListener listener)
    {
        if (instrument.Meter.Name.StartsWith(_meterPrefix, StringComparison.Ordinal))
        {
            listener.EnableMeasurementEvents(instrument);
        }
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (!_exports.TryGetValue(instrument, out var export))
        {
            var factory = Metrics.WithCustomRegistry(_registry);
            export = _exports.GetOrAdd(instrument, InstrumentExport.Create(instrument, tags, factory));
        }

        export.Record(value, tags);
    }
}
