using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Prometheus;
using TusUpload.Pipeline.Processing;

namespace TusUpload.Worker;

/// <summary>Runs prometheus-net's standalone Kestrel server for <c>/metrics</c> alongside the consumer.</summary>
internal sealed class MetricServerService(IOptions<WorkerHostOptions> options, ILogger<MetricServerService> logger)
    : IHostedService, IDisposable
{
    private KestrelMetricServer? _server;
    private IDisposable? _meterAdapter;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (settings.MetricsPort == 0)
        {
            return Task.CompletedTask;
        }

        // prometheus-net's default adapter did not pick up our meter here (only runtime ones), so the worker
        // connects the TusUpload meter itself; Prometheus names are then tusupload_<instrument>.
        _meterAdapter = MeterAdapter.StartListening(new MeterAdapterOptions
        {
            InstrumentFilterPredicate = instrument => instrument.Meter.Name == ProcessingMetrics.MeterName,
        });
        _server = new KestrelMetricServer(settings.MetricsHost, settings.MetricsPort);
        _server.Start();
        logger.MetricsServing(settings.MetricsHost, settings.MetricsPort);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is not null)
        {
            await _server.StopAsync().WaitAsync(cancellationToken);
        }
    }

    public void Dispose()
    {
        _server?.Dispose();
        _meterAdapter?.Dispose();
    }
}
