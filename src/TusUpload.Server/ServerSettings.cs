using TusUpload.Pipeline;
using TusUpload.Pipeline.Ledger;
using TusUpload.Pipeline.Messaging.InProcess;
using TusUpload.Pipeline.Messaging.RabbitMq;
using TusUpload.Pipeline.Outbox;
using TusUpload.Pipeline.Processing;
using TusUpload.Postgres;
using TusUpload.Postgres.Locking;
using TusUpload.Protocol;
using TusUpload.Store.Disk;
using TusUpload.Store.S3;

namespace TusUpload.Server;

/// <summary>The settings sections the server reads, for naming misspelt keys at start-up.</summary>
internal static class ServerSettings
{
    /// <summary>
    /// Every section the server reads, with the keys of every store, ledger and queue kind (not only the chosen
    /// one) and the worker process's own <c>Worker</c> keys, since a deployment usually gives both one configuration.
    /// </summary>
    public static SettingsCatalog Catalog() => new SettingsCatalog()
        .Checks(ServerHostingOptions.SectionName)
        .Checks(TusOptions.SectionName)
        .Checks("Store")
        .Checks("Locking")
        .Checks(LedgerOptions.SectionName)
        .Checks(PipelineOptions.SectionName)
        .Checks(InProcessWorkerOptions.SectionName)
        .Checks(RabbitMqOptions.SectionName)
        .Checks(ScanningOptions.SectionName)
        .Checks(PostgresOptions.SectionName)
        .Knows<ServerHostingOptions>(ServerHostingOptions.SectionName)
        .Knows<TusOptions>(TusOptions.SectionName)
        .Knows<DiskStoreOptions>(DiskStoreOptions.SectionName)
        .Knows<S3StoreOptions>(S3StoreOptions.SectionName)
        .Knows<PostgresLockOptions>(PostgresLockOptions.SectionName)
        .Knows<PipelineOptions>(PipelineOptions.SectionName)
        .KnowsPipeline()
        .Knows<PostgresOptions>(PostgresOptions.SectionName)
        .Knows(StoreRegistration.StoreKindKey, StoreRegistration.LockingKindKey)
        .Knows("Worker:MetricsHost", "Worker:MetricsPort");

    /// <summary>Logs each key under the server's sections that no setting of it or of the worker knows.</summary>
    public static void WarnAboutUnknownKeys(WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ServerSettings).FullName!);
        foreach (var key in Catalog().UnknownKeys(app.Configuration))
        {
            ServerLog.UnknownSetting(logger, key);
        }
    }
}
