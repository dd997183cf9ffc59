using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace TusUpload.Postgres.Migrations;

/// <summary>
/// Migrates before the host serves requests when <c>Postgres:MigrateOnStart</c> is true; with
/// <c>Postgres:MigrateOnly</c> it migrates and then stops the process (the documented <c>migrate</c> entry).
/// </summary>
public sealed class PostgresMigrationService(
    PostgresMigrator migrator,
    IOptions<PostgresOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<PostgresMigrationService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.MigrateOnStart && !options.Value.MigrateOnly)
        {
            return;
        }

        await migrator.MigrateAsync(cancellationToken);
        if (options.Value.MigrateOnly)
        {
            PostgresLog.MigrateOnlyDone(logger, options.Value.SafeDescription());

            // Stopping while the host is still starting makes it fail with a non-zero exit; once it has
            // started, stopping is the ordinary graceful shutdown (exit code 0). The listener is open briefly.
            lifetime.ApplicationStarted.Register(lifetime.StopApplication);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
