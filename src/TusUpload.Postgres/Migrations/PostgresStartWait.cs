using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using TusUpload.Pipeline.Outbox;
using TusUpload.Pipeline.Processing;

namespace TusUpload.Postgres.Migrations;

/// <summary>
/// Makes <see cref="PostgresMigrationService"/> wait, before it migrates, while the database is unreachable,
/// instead of failing the start. A host registers it to start during a database outage and to hold every hosted
/// service after the migrations (the worker's consumer) until the database answers; the server does not, and
/// fails its start, so that a load balancer never sends uploads to an instance without its ledger. Only an outage
/// is waited out (refused, reset or timed out, "starting up", a lost connection); anything else, a wrong password
/// or a missing database, falls through to the migrations, which fail the start naming it.
/// </summary>
public sealed class PostgresStartWait(
    NpgsqlDataSource dataSource,
    IOptions<PostgresOptions> options,
    TimeProvider time,
    ILogger<PostgresStartWait> logger)
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);

    /// <summary>
    /// True once a connection opened (or failed for a reason other than an outage); false when
    /// <paramref name="cancellationToken"/> ended the wait first (the host is stopping while it starts).
    /// </summary>
    public async Task<bool> UntilReachableAsync(CancellationToken cancellationToken)
    {
        var database = options.Value.SafeDescription();
        var started = time.GetTimestamp();
        for (var attempt = 1; ; attempt++)
        {
            TimeSpan delay;
            try
            {
                // Npgsql may not notice the token while a server that accepted the connection never answers, and a
                // SIGTERM then waited out the connection's Timeout; the wait ends with the token, and a connection
                // that opens after that is closed again.
                var opening = dataSource.OpenConnectionAsync(cancellationToken).AsTask();
                _ = opening.ContinueWith(
                    static late => late.Result.Dispose(),
                    CancellationToken.None,
                    TaskContinuationOptions.OnlyOnRanToCompletion,
                    TaskScheduler.Default);
                await opening.WaitAsync(cancellationToken);
                if (attempt > 1)
                {
                    PostgresLog.DatabaseReachable(logger, database, time.GetElapsedTime(started).TotalSeconds);
                }

                return true;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (NpgsqlException ex) when (InfrastructureOutage.IsDatabaseOutage(ex))
            {
                // Jittered, so that the workers a database outage held back do not all connect at the same moment.
                delay = RelayBackoff.Delay(attempt, FirstDelay, MaxDelay);
                var seconds = Math.Round(delay.TotalSeconds, 3);
                PostgresLog.WaitingForDatabase(logger, database, attempt, seconds, ex.Message);
            }

            try
            {
                await Task.Delay(delay, time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        PostgresLog.StoppedWhileWaiting(logger, database);
        return false;
    }
}
