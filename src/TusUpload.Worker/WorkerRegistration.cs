using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using TusUpload.Pipeline;
using TusUpload.Pipeline.Ledger;
using TusUpload.Pipeline.Ledger.Sqlite;
using TusUpload.Pipeline.Messaging.RabbitMq;
using TusUpload.Pipeline.Processing;
using TusUpload.Postgres.Ledger;
using TusUpload.Postgres.Migrations;
using TusUpload.Store.Disk;
using TusUpload.Store.S3;

namespace TusUpload.Worker;

/// <summary>Wires the worker from the same configuration sections as the server.</summary>
public static class WorkerRegistration
{
    public static IServiceCollection AddWorker(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<WorkerHostOptions>()
            .Bind(configuration.GetSection(WorkerHostOptions.SectionName))
            .Validate(Validated, "Worker options are invalid.")
            .ValidateOnStart();
        services.AddHostedService<MetricServerService>();

        services.AddWorkerStore(configuration);
        services.AddWorkerLedger(configuration);

        // The processor first: AddRabbitMqMessaging adds the consumer only when a completion consumer exists.
        services.AddCompletionProcessing(configuration);
        services.AddRabbitMqMessaging(configuration);
        return services;
    }

    /// <summary><c>Store:Kind</c>: <c>disk</c> (default) or <c>s3</c>.</summary>
    public static string StoreKind(IConfiguration configuration) =>
        HostSettings.NormalizeKind(configuration["Store:Kind"], "disk");

    /// <summary><c>Ledger:Kind</c>: <c>sqlite</c> (default) or <c>postgres</c>.</summary>
    public static string LedgerKind(IConfiguration configuration) =>
        HostSettings.NormalizeKind(configuration["Ledger:Kind"], LedgerKinds.Sqlite);

    private static void AddWorkerStore(this IServiceCollection services, IConfiguration configuration)
    {
        switch (StoreKind(configuration))
        {
            case "disk":
                services.AddDiskUploadStore(configuration.GetSection(DiskStoreOptions.SectionName));
                break;
            case "s3":
                services.AddS3UploadStore(configuration);
                break;
            case var other:
                throw HostSettings.Refuse("Store:Kind", $"Store:Kind '{other}' is not supported; use disk or s3.");
        }
    }

    private static void AddWorkerLedger(this IServiceCollection services, IConfiguration configuration)
    {
        // Matched like the server's and like the switch below: the worker refused "SQLite", which the server took.
        services.AddOptions<LedgerOptions>()
            .Bind(configuration.GetSection(LedgerOptions.SectionName))
            .PostConfigure(options => options.Kind = HostSettings.NormalizeKind(options.Kind, LedgerKinds.Sqlite))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<LedgerOptions>, LedgerOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);

        switch (LedgerKind(configuration))
        {
            case LedgerKinds.Sqlite:
                services.AddSingleton<SqliteUploadLedger>();
                services.AddSingleton<IUploadLedger>(provider => provider.GetRequiredService<SqliteUploadLedger>());
                break;
            case LedgerKinds.Postgres:
                // A worker starts during a database outage and waits for it, its consumer off, rather than crash
                // looping: it could process nothing meanwhile, and a supervisor's backoff would delay it further.
                services.AddSingleton<PostgresStartWait>();
                new PostgresLedgerRegistration().AddLedger(services, configuration);
                break;
            case var other:
                throw HostSettings.Refuse(
                    "Ledger:Kind",
                    $"Ledger:Kind '{other}' is not supported; use sqlite or postgres.");
        }
    }

    private static bool Validated(WorkerHostOptions options) => HostSettings.Passes(options, o => o.Validate());
}
