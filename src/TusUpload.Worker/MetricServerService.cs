using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Prometheus;
using TusUpload.Observability;

namespace TusUpload.Worker;

/// <summary>Runs prometheus-net's standalone Kestrel server for <c>/metrics</c> alongside the consumer.</summary>
internal sealed class MetricServerService(IOptions<WorkerHostOptions> options, ILogger<MetricServerService> logger)
    : IHostedService, IDisposable
{
    private KestrelMetricServer? _server;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (settings.MetricsPort == 0)
        {
            return Task.CompletedTask;
        }

        // The same bridge as the server's, so a series has one name (tus_…) and one type in both processes;
        // prometheus-net's own meter adapter exported none of our measurements.
        Metrics.SuppressDefaultMetrics(new SuppressDefaultMetricOptions { SuppressMeters = true });
        PrometheusMeterBridge.StartOnce(Metrics.DefaultRegistry, "TusUpload");
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
    }
}
