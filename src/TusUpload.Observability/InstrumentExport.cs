using System.Diagnostics.Metrics;
using Prometheus;

namespace TusUpload.Observability;

/// <summary>
/// One instrument as a prometheus-net collector. Label names are fixed by the instrument's first measurement
/// (Prometheus needs a fixed set); a later measurement with other tag names is dropped rather than mislabelled.
/// </summary>
internal sealed class InstrumentExport
{
    private readonly string[] _labelNames;
    private readonly Action<double, string[]> _record;

    private InstrumentExport(string[] labelNames, Action<double, string[]> record)
    {
        _labelNames = labelNames;
        _record = record;
    }

    public static InstrumentExport Create(
        Instrument instrument,
        ReadOnlySpan<KeyValuePair<string, object?>> tags,
        IMetricFactory factory)
    {
        var labelNames = new string[tags.Length];
        for (var i = 0; i < tags.Length; i++)
        {
            labelNames[i] = PrometheusName(tags[i].Key);
        }

        var name = PrometheusName(instrument.Name);
        var help = string.IsNullOrEmpty(instrument.Description) ? instrument.Name : instrument.Description;
        Action<double, string[]> record = instrument switch
        {
            Counter<int> or Counter<long> or Counter<float> or Counter<double> =>
                CounterOf(factory.CreateCounter(name, help, labelNames)),
            ObservableCounter<int> or ObservableCounter<long>
                or ObservableCounter<float> or ObservableCounter<double> =>
                ObservedCounterOf(factory.CreateCounter(name, help, labelNames)),
            Histogram<int> or Histogram<long> or Histogram<float> or Histogram<double> =>
                HistogramOf(factory.CreateHistogram(name, help, labelNames, BucketsFor(instrument))),
            ObservableGauge<int> or ObservableGauge<long> or ObservableGauge<float> or ObservableGauge<double>
                or ObservableUpDownCounter<int> or ObservableUpDownCounter<long>
                or ObservableUpDownCounter<double> => SetGaugeOf(factory.CreateGauge(name, help, labelNames)),
            _ => AddGaugeOf(factory.CreateGauge(name, help, labelNames)),
        };
        return new InstrumentExport(labelNames, record);
    }

    public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length != _labelNames.Length)
        {
            return;
        }

        // Instruments of this project record without tags on their hot paths, so this allocates nothing there.
        var values = tags.Length == 0 ? [] : new string[tags.Length];
        for (var i = 0; i < tags.Length; i++)
        {
            if (PrometheusName(tags[i].Key) != _labelNames[i])
            {
                return;
            }

            values[i] = tags[i].Value?.ToString() ?? string.Empty;
        }

        _record(value, values);
    }

    private static Action<double, string[]> CounterOf(Counter counter) =>
        (value, labels) => counter.WithLabels(labels).Inc(value);

    private static Action<double, string[]> ObservedCounterOf(Counter counter) =>
        (value, labels) => counter.WithLabels(labels).IncTo(value);

    private static Action<double, string[]> AddGaugeOf(Gauge gauge) =>
        (value, labels) => gauge.WithLabels(labels).Inc(value);

    private static Action<double, string[]> SetGaugeOf(Gauge gauge) =>
        (value, labels) => gauge.WithLabels(labels).Set(value);

    private static Action<double, string[]> HistogramOf(Histogram histogram) =>
        (value, labels) => histogram.WithLabels(labels).Observe(value);

    /// <summary>Seconds from 1 ms to about 65 s; bytes from 1 KiB to 1 GiB; anything else in powers of two.</summary>
    private static HistogramConfiguration BucketsFor(Instrument instrument) => new()
    {
        Buckets = instrument.Unit switch
        {
            "s" => Histogram.ExponentialBuckets(0.001, 2, 17),
            "By" => Histogram.ExponentialBuckets(1024, 4, 11),
            _ => Histogram.ExponentialBuckets(1, 2, 20),
        },
    };

    private static string PrometheusName(string name) => name.Replace('.', '_').Replace('-', '_');
}
