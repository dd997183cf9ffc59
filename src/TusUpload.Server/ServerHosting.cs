using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using Prometheus;
using Serilog;
using TusUpload.Observability;

namespace TusUpload.Server;

/// <summary>Logging, metrics, health checks and shutdown behaviour of the server process.</summary>
public static class ServerHosting
{
    /// <summary>Meters whose name starts with this are exported on <c>/metrics</c>.</summary>
    public const string MeterPrefix = "TusUpload";

    public static WebApplicationBuilder AddServerHosting(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        AddShippedSettings(builder);
        builder.Services.AddSerilog((_, logger) => ServerLogging.Configure(logger, builder.Configuration));

        builder.Services.AddOptions<ServerHostingOptions>()
            .Bind(builder.Configuration.GetSection(ServerHostingOptions.SectionName))
            .Validate(
                options => options.ShutdownTimeout > TimeSpan.Zero && options.ShutdownTimeout <= TimeSpan.FromHours(1),
                "Server:ShutdownTimeout must lie between 00:00:00.001 and 01:00:00.")
            .ValidateOnStart();
        builder.Services.AddOptions<HostOptions>()
            .Configure<IOptions<ServerHostingOptions>>(
                (host, server) => host.ShutdownTimeout = server.Value.ShutdownTimeout);

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.ConfigureEndpointDefaults(listen => listen.Use(HalfClosedConnection.Wrap));
        });
        // Kestrel's transports take their pool from this factory: 64 KiB receives instead of 4 KiB ones.
        builder.Services.AddSingleton(ReceiveBlockBudget.Default());
        builder.Services.AddSingleton(provider => new ReceiveBlockMetrics(
            provider.GetService<IMeterFactory>(),
            provider.GetRequiredService<ReceiveBlockBudget>()));
        builder.Services.AddSingleton<IMemoryPoolFactory<byte>, ReceiveBlockPoolFactory>();
        builder.Services.AddHealthChecks();

        // The libraries emit through System.Diagnostics.Metrics; the bridge republishes the TusUpload meters.
        // prometheus-net's own meter adapter stays off: it exported none of them and floods /metrics with
        // every runtime-internal meter instead.
        Metrics.SuppressDefaultMetrics(new SuppressDefaultMetricOptions { SuppressMeters = true });
        PrometheusMeterBridge.StartOnce(Metrics.DefaultRegistry, MeterPrefix);
        return builder;
    }

    /// <summary>
    /// Started from another folder without <c>--contentRoot</c>, the host would miss the appsettings.json shipped
    /// beside the binary and listen on port 5000; load it first so every other source still overrides it.
    /// </summary>
    private static void AddShippedSettings(WebApplicationBuilder builder)
    {
        var shipped = Path.Combine(AppContext.BaseDirectory, "appsettings.json");
        var contentRootSettings = Path.Combine(builder.Environment.ContentRootPath, "appsettings.json");
        if (File.Exists(shipped) && !File.Exists(contentRootSettings))
        {
            builder.Configuration.Sources.Insert(0, new JsonConfigurationSource
            {
                Optional = true,
                FileProvider = new PhysicalFileProvider(AppContext.BaseDirectory),
                Path = "appsettings.json",
            });
        }
    }

    public static WebApplication UseServerHosting(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        app.UseMiddleware<RequestLogging>();

        // Before the metrics: their method label would grow one series per made-up method name, forever.
        app.UseMiddleware<UnknownMethodRejection>();
        app.UseRouting();
        app.UseHttpMetrics();

        app.MapMetrics("/metrics");
        app.MapHealthChecks("/healthz", new HealthCheckOptions
        {
            // Liveness: the process answers HTTP. Dependencies belong to readiness, or a broken disk restarts pods.
            Predicate = _ => false,
            ResponseWriter = HealthResponses.WriteAsync,
        });
        app.MapHealthChecks("/readyz", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(HealthResponses.ReadyTag),
            ResponseWriter = HealthResponses.WriteAsync,
        });

        LogLifetime(app);
        return app;
    }

    private static void LogLifetime(WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ServerHosting).FullName!);
        var shutdownTimeout = app.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout;
        app.Lifetime.ApplicationStopping.Register(() => ServerLog.Stopping(logger, shutdownTimeout));
        app.Lifetime.ApplicationStopped.Register(() => ServerLog.Stopped(logger));
    }
}
