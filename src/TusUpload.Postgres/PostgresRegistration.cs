using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;
using TusUpload.Postgres.Locking;
using TusUpload.Postgres.Migrations;
using TusUpload.Protocol.Locking;

namespace TusUpload.Postgres;

/// <summary>Registers the PostgreSQL foundation and the lease lock; every call is safe to repeat.</summary>
public static class PostgresRegistration
{
    /// <summary>
    /// Adds <see cref="PostgresOptions"/> (section <c>Postgres</c> of the root <paramref name="configuration"/>),
    /// one <see cref="NpgsqlDataSource"/>, and the migrations that run at start-up.
    /// </summary>
    public static IServiceCollection AddPostgres(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (services.Any(service => service.ServiceType == typeof(PostgresMigrator)))
        {
            return services;
        }

        services.AddOptions<PostgresOptions>()
            .Bind(configuration.GetSection(PostgresOptions.SectionName))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<PostgresOptions>, PostgresOptionsValidator>();
        services.TryAddSingleton(provider =>
            NpgsqlDataSource.Create(
                provider.GetRequiredService<IOptions<PostgresOptions>>().Value.EffectiveConnectionString()));
        services.AddSingleton<PostgresMigrator>();

        // Registered first among the PostgreSQL services, so tables exist before anything else starts.
        services.AddHostedService<PostgresMigrationService>();
        return services;
    }

    /// <summary>Makes the lease lock the <see cref="IUploadLockProvider"/> (<c>Locking:Kind=postgres</c>).</summary>
    public static IServiceCollection AddPostgresUploadLocking(
        this IServiceCollection services,
        IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddPostgres(configuration);
        services.AddOptions<PostgresLockOptions>()
            .Bind(configuration.GetSection(PostgresLockOptions.SectionName))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<PostgresLockOptions>, PostgresLockOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<PostgresLockListener>();
        services.AddSingleton<IHostedService>(provider => provider.GetRequiredService<PostgresLockListener>());
        services.AddSingleton<PostgresUploadLockProvider>();
        services.AddSingleton<IUploadLockProvider>(
            provider => provider.GetRequiredService<PostgresUploadLockProvider>());
        return services;
    }
}
