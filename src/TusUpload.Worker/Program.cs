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
using TusUpload.Protocol.Storage;
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
catch (IOException taken) when (taken.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
{
    // Worker:MetricsPort is taken: the operator has to free it or pick another; one line says which.
    await Console.Error.WriteLineAsync($"Cannot start: {taken.Message}");
    return 1;
}
catch (Npgsql.NpgsqlException refused)
{
    // The ledger's database refused the start (a wrong password, no such database, missing rights); an outage
    // alone is waited out before this. One line, not the host's crash with a stack trace.
    await Console.Error.WriteLineAsync($"Cannot start: PostgreSQL refused: {HostSettings.FirstLine(refused.Message)}");
    return 1;
}
catch (StoreStartException unreachable)
{
    // The service may only be down: exit code 1 for the orchestrator to restart the worker, and one line saying why.
    await Console.Error.WriteLineAsync($"Cannot start: {unreachable.Message}");
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
