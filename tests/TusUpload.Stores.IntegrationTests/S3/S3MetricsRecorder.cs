using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace TusUpload.Stores.IntegrationTests.S3;

/// <summary>
/// Records the measurements of the S3 store instruments made with <see cref="MeterFactory"/> (a factory of this
/// recorder's own, so that other tests' stores are never counted). Instruments record on the calling thread, so
/// a measurement is here once the store call that made it has returned.
/// </summary>
internal sealed class S3MetricsRecorder : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    private readonly MeterListener _listener = new();

    private readonly ConcurrentQueue<S3Measurement> _measurements = new();

    public S3MetricsRecorder()
    {
        MeterFactory = _services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, MeterFactory))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.Start();
    }

    public IMeterFactory MeterFactory { get; }

    public IReadOnlyList<S3Measurement> Measurements => [.. _measurements];

    /// <summary>The sum of the instrument's values whose tags include every one of <paramref name="tags"/>.</summary>
    public double Sum(string instrument, params (string Key, string Value)[] tags) =>
        Matching(instrument, tags).Sum(measurement => measurement.Value);

    /// <summary>How many values the instrument recorded with tags including <paramref name="tags"/>.</summary>
    public int Count(string instrument, params (string Key, string Value)[] tags) =>
        Matching(instrument, tags).Count();

    public void Clear() => _measurements.Clear();

    public void Dispose()
    {
        _listener.Dispose();
        _services.Dispose();
    }

    private IEnumerable<S3Measurement> Matching(string instrument, (string Key, string Value)[] tags) =>
        _measurements.Where(measurement => measurement.Instrument == instrument
            && tags.All(tag => measurement.Tags.TryGetValue(tag.Key, out var value) && value == tag.Value));

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            names[tag.Key] = tag.Value?.ToString() ?? string.Empty;
        }

        _measurements.Enqueue(new S3Measurement(instrument.Name, value, names));
    }
}
