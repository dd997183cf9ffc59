using Microsoft.Extensions.Logging;

namespace TusUpload.Postgres;

/// <summary>Log messages of the PostgreSQL foundation (event ids 2300–2399).</summary>
internal static partial class PostgresLog
{
    [LoggerMessage(2300, LogLevel.Information, "Migrations applied to {Database}: {Applied} new of {Total} scripts")]
    public static partial void MigrationsApplied(ILogger logger, string database, int applied, int total);

    [LoggerMessage(2301, LogLevel.Error, "Migration {Script} failed on {Database}")]
    public static partial void MigrationFailed(ILogger logger, string script, string database, Exception exception);

    [LoggerMessage(2302, LogLevel.Information, "Migrations only: stopping after migrating {Database}")]
    public static partial void MigrateOnlyDone(ILogger logger, string database);

    [LoggerMessage(2303, LogLevel.Debug, "Migration {Script} applied")]
    public static partial void ScriptApplied(ILogger logger, string script);

    [LoggerMessage(
        2304,
        LogLevel.Warning,
        "Database {Database} is unavailable (attempt {Attempt}); waiting for it before anything else starts, "
            + "next try in {DelaySeconds} s: {Reason}")]
    public static partial void WaitingForDatabase(
        ILogger logger,
        string database,
        int attempt,
        double delaySeconds,
        string reason);

    [LoggerMessage(2305, LogLevel.Information, "Database {Database} is reachable after {WaitedSeconds} s")]
    public static partial void DatabaseReachable(ILogger logger, string database, double waitedSeconds);

    [LoggerMessage(
        2306,
        LogLevel.Information,
        "Stopping while waiting for database {Database}: nothing was migrated and nothing else starts")]
    public static partial void StoppedWhileWaiting(ILogger logger, string database);
}
