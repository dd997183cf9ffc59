using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using TusUpload.Pipeline.Outbox;

namespace TusUpload.Pipeline.IntegrationTests.Outbox;

/// <summary>
/// Reads <c>tus_outbox_backlog</c> of <see cref="Metrics"/> only (built on a meter factory of this test's own, so
/// parallel tests never see each other's gauges), as a scrape would.
/// </summary>
internal sealed class BacklogGaugeReader : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    private readonly MeterListener _listener = new();

    private long _lastReading = -1;

    public BacklogGaugeReader()
    {
        var meterFactory = _services.GetRequiredService<IMeterFactory>();
        Metrics = new OutboxMetrics(meterFactory);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, meterFactory) && instrument.Name == "tus_outbox_backlog")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Volatile.Write(ref _lastReading, value));
        _listener.Start();
    }

    public OutboxMetrics Metrics { get; }

    /// <summary>The gauge's value now; -1 if it was never observed.</summary>
    public long Read()
    {
        _listener.RecordObservableInstruments();
        return Volatile.Read(ref _lastReading);
    }

    public void Dispose()
    {
        _listener.Dispose();
        _services.Dispose();
    }
}
