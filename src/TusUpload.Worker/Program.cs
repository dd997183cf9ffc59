using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serilog;
using Serilog.Formatting.Compact;
using Serilog.Settings.Configuration;
using TusUpload.Pipeline;
using TusUpload.Pipeline.Messaging.RabbitMq;
using TusUpload.Pipeline.Processing;
using TusUpload.Worker;

// The worker process: consumes "upload completed" events from RabbitMQ and processes them. Configured like the
// server: appsettings.json, environment variables such as Store__Kind, or --Section:Key=value arguments.
try
{
    var builder = Host.CreateApplicationBuilder(HostSettings.ReadOnce(args));
    WorkerLogging.CheckLevels(builder.Configuration);

    builder.Services.AddSerilog((services, logger) => logger
        .ReadFrom.Configuration(builder.Configuration, ReaderOptions)
        .ReadFrom.Services(services)
        .Enrich.FromLogContext()
        .Filter.ByExcluding(WorkerLogging.IsStartRefusalReport)
        .WriteTo.Console(new RenderedCompactJsonFormatter()));

    // The consumer's graceful stop fits in this: up to 5 s to cancel its subscription, a 15 s drain for deliveries
    // in progress, then up to 5 s to hand what is still in progress back to the queue as fresh copies.
    builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromSeconds(25));
    builder.Services.AddWorker(builder.Configuration);

    using var host = builder.Build();
    var logger = host.Services.GetRequiredService<ILogger<Program>>();
    foreach (var key in WorkerSettings.Catalog().UnknownKeys(builder.Configuration))
    {
        logger.UnknownSetting(key);
    }

    HostSettings.CheckAll(host.Services);
    await HostSettings.StartStoreAsync(host.Services);
    var rabbit = host.Services.GetRequiredService<IOptions<RabbitMqOptions>>().Value;
    logger.Started(
        WorkerRegistration.StoreKind(builder.Configuration),
        WorkerRegistration.LedgerKind(builder.Configuration),
        rabbit.Queue,
        rabbit.DisplayEndpoint,
        host.Services.GetRequiredService<IOptions<ScanningOptions>>().Value.Enabled);

    await host.RunAsync();
    logger.Stopping();
    return 0;
}
catch (Exception badSetting) when (HostSettings.IsBadSetting(badSetting))
{
    return await HostSettings.ReportAsync(badSetting);
}
catch (Exception failed) when (HostSettings.StartRefusal(failed) is { } reason)
{
    // A taken metrics port, a database that refused, a store that did not answer: one line, exit code 1 for the
    // orchestrator to restart it, rather than a crash with a stack trace. An outage of PostgreSQL alone is waited
    // out before this (see PostgresStartWait).
    await Console.Error.WriteLineAsync($"Cannot start: {reason}");
    return 1;
}

/// <summary>Entry point; public so that tests can name the assembly.</summary>
public partial class Program
{
    // Naming the sink assemblies stops Serilog from scanning the folder for others, which breaks when the worker
    // runs from a folder shared with other programs (a test's output).
    private static readonly ConfigurationReaderOptions ReaderOptions =
        new(typeof(ConsoleLoggerConfigurationExtensions).Assembly);
}
