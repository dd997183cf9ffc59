using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace TusUpload.Postgres.Migrations;

/// <summary>
/// Migrates before the host serves requests when <c>Postgres:MigrateOnStart</c> is true; with
/// <c>Postgres:MigrateOnly</c> it migrates and then stops the process (the documented <c>migrate</c> entry).
/// With a <see cref="PostgresStartWait"/> registered (the worker) it first waits out a database outage; a host
/// stopped meanwhile starts nothing else.
/// </summary>
public sealed class PostgresMigrationService(
    PostgresMigrator migrator,
    IOptions<PostgresOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<PostgresMigrationService> logger,
    PostgresStartWait? startWait = null) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // Returning, not throwing, when stopped during the wait: the host's start then ends without a failure,
        // and the hosted services after this one see the cancelled token and do nothing.
        if (startWait is not null && !await startWait.UntilReachableAsync(cancellationToken))
        {
            return;
        }

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
