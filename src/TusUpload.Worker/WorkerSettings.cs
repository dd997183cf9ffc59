using TusUpload.Pipeline;
using TusUpload.Pipeline.Ledger;
using TusUpload.Pipeline.Messaging.RabbitMq;
using TusUpload.Pipeline.Processing;
using TusUpload.Postgres;
using TusUpload.Store.Disk;
using TusUpload.Store.S3;

namespace TusUpload.Worker;

/// <summary>The settings sections the worker reads, for naming misspelt keys at start-up.</summary>
internal static class WorkerSettings
{
    /// <summary>
    /// The worker's own sections only: the server's (<c>Tus</c>, <c>Locking</c>, <c>Pipeline</c>, ...) come with
    /// the configuration both processes usually share, and the server checks them. <c>Worker</c> includes the
    /// server's in-process worker keys for the same reason.
    /// </summary>
    public static SettingsCatalog Catalog() => new SettingsCatalog()
        .Checks(WorkerHostOptions.SectionName)
        .Checks("Store")
        .Checks(LedgerOptions.SectionName)
        .Checks(RabbitMqOptions.SectionName)
        .Checks(ScanningOptions.SectionName)
        .Checks(PostgresOptions.SectionName)
        .Knows<WorkerHostOptions>(WorkerHostOptions.SectionName)
        .KnowsPipeline()
        .Knows<DiskStoreOptions>(DiskStoreOptions.SectionName)
        .Knows<S3StoreOptions>(S3StoreOptions.SectionName)
        .Knows<PostgresOptions>(PostgresOptions.SectionName)
        .Knows("Store:Kind");
}
