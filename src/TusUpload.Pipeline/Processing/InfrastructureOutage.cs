using System.Data.Common;
using TusUpload.ClamAV;
using TusUpload.Pipeline.Ledger.Sqlite;
using TusUpload.Protocol.Storage;

namespace TusUpload.Pipeline.Processing;

/// <summary>
/// Tells an outage of the worker's own infrastructure (the scanner, the store, the ledger's database), which passes
/// with time and is no fault of the upload, from an error that is the upload's own (its data missing, a checksum
/// that differs). An outage is retried and deferred and never uses up the delivery limit; anything else counts.
/// </summary>
public static class InfrastructureOutage
{
    public const string Scanner = "scanner";
    public const string Store = "store";
    public const string Ledger = "ledger";

    /// <summary>
    /// <see cref="Scanner"/>, <see cref="Store"/> or <see cref="Ledger"/> when <paramref name="exception"/> (or one
    /// it wraps: the SQLite group commit wraps the database's error) says that service is unavailable; else null.
    /// The first exception of a known kind decides, so a store error that is not an outage stays one.
    /// </summary>
    public static string? CauseOf(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case ClamdUnavailableException:
                    return Scanner;
                case UploadStoreException store:
                    return store.Error == UploadStoreError.Unavailable ? Store : null;
                case DbException database:
                    return IsDatabaseOutage(database) ? Ledger : null;
            }
        }

        return null;
    }

    /// <summary>The service as a log line or a failure reason names it.</summary>
    public static string Describe(string cause) => cause switch
    {
        Scanner => "clamd",
        Store => "the store",
        _ => "the ledger's database",
    };

    /// <summary>
    /// Whether a database error is an outage that passes with time; also what a worker waits out at start-up.
    /// Npgsql says transient for a connection refused, reset or timed out, a full pool, and server states such as
    /// "the database system is starting up". A server shut down or restarted ends the commands it was running with
    /// 57P01/57P02 (admin or crash shutdown), which it may not count; class 08 is a lost connection. SQLite: the
    /// busy timeout ran out behind another writer.
    /// </summary>
    public static bool IsDatabaseOutage(DbException exception) =>
        exception.IsTransient
        || exception.SqlState is { } state
            && (state.StartsWith("08", StringComparison.Ordinal) || state is "57P01" or "57P02" or "57P03")
        || SqliteGroupCommit.IsLockedByAnother(exception);
}
