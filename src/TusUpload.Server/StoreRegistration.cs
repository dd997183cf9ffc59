using Microsoft.Extensions.DependencyInjection.Extensions;
using TusUpload.Pipeline;
using TusUpload.Postgres;
using TusUpload.Protocol.Locking;
using TusUpload.Store.Disk;
using TusUpload.Store.S3;

namespace TusUpload.Server;

/// <summary>Chooses the chunk store (<c>Store:Kind</c>) and the lock provider (<c>Locking:Kind</c>).</summary>
public static class StoreRegistration
{
    public const string StoreKindKey = "Store:Kind";
    public const string LockingKindKey = "Locking:Kind";

    public static WebApplicationBuilder AddUploadStore(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        var kind = StoreKind(builder.Configuration);
        switch (kind)
        {
            case "disk":
                builder.Services.AddDiskUploadStore(builder.Configuration.GetSection(DiskStoreOptions.SectionName));
                builder.Services.AddHealthChecks()
                    .AddCheck<DiskStoreHealthCheck>("store", tags: [HealthResponses.ReadyTag]);
                break;

            case "s3":
                builder.Services.AddS3UploadStore(builder.Configuration);
                builder.Services.AddHealthChecks()
                    .AddCheck<S3StoreHealthCheck>("store", tags: [HealthResponses.ReadyTag]);
                break;

            default:
                throw HostSettings.Refuse(StoreKindKey, $"{StoreKindKey} '{kind}' is unknown; use 'disk' or 's3'.");
        }

        return builder;
    }

    public static WebApplicationBuilder AddUploadLocking(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        var kind = LockingKind(builder.Configuration);
        switch (kind)
        {
            case "inprocess":
                // The protocol registers the same default with TryAdd; whichever runs first wins, both agree.
                builder.Services.TryAddSingleton<IUploadLockProvider, InProcessUploadLockProvider>();
                break;

            case "postgres":
                // Registered after the protocol's in-process default, so this registration is the one resolved.
                builder.Services.AddPostgresUploadLocking(builder.Configuration);
                break;

            default:
                throw HostSettings.Refuse(
                    LockingKindKey,
                    $"{LockingKindKey} '{kind}' is unknown; use 'inprocess' or 'postgres'.");
        }

        builder.Services.AddHostedService(provider => new StorageChoiceLog(
            provider.GetRequiredService<ILogger<StorageChoiceLog>>(),
            StoreKind(builder.Configuration),
            kind));
        return builder;
    }

    /// <summary><c>Store:Kind</c> as matched: trimmed, lower case, <c>disk</c> when unset.</summary>
    public static string StoreKind(IConfiguration configuration) => KindOf(configuration, StoreKindKey, "disk");

    /// <summary><c>Locking:Kind</c> as matched: trimmed, lower case, <c>inprocess</c> when unset.</summary>
    public static string LockingKind(IConfiguration configuration) =>
        KindOf(configuration, LockingKindKey, "inprocess");

    private static string KindOf(IConfiguration configuration, string key, string fallback) =>
        HostSettings.NormalizeKind(configuration[key], fallback);
}
