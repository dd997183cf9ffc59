using System.Data.Common;
using Npgsql;

namespace TusUpload.Postgres;

/// <summary>
/// The PostgreSQL connection shared by the lease lock and the ledger (configuration section <c>Postgres</c>).
/// </summary>
public sealed class PostgresOptions
{
    public const string SectionName = "Postgres";

    /// <summary>Npgsql connection string. No default; never logged whole (see <see cref="SafeDescription"/>).</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>Apply pending migrations when the process starts. Default true.</summary>
    public bool MigrateOnStart { get; set; } = true;

    /// <summary>Apply pending migrations, then stop the process (the <c>migrate</c> entry). Default false.</summary>
    public bool MigrateOnly { get; set; }

    /// <summary>
    /// Connections one process may hold when the connection string names no <c>Maximum Pool Size</c>. Default 20:
    /// Npgsql's own default of 100 lets a single busy instance exhaust PostgreSQL's default max_connections (100).
    /// </summary>
    public int MaxPoolSize { get; set; } = 20;

    /// <summary>
    /// The connection string with <see cref="MaxPoolSize"/> applied unless it sets a pool size itself.
    /// </summary>
    public string EffectiveConnectionString()
    {
        var given = new DbConnectionStringBuilder { ConnectionString = ConnectionString };
        string[] poolSizeKeys = ["Maximum Pool Size", "MaxPoolSize"];
        if (poolSizeKeys.Any(given.ContainsKey))
        {
            return ConnectionString;
        }

        return new NpgsqlConnectionStringBuilder(ConnectionString) { MaxPoolSize = MaxPoolSize }.ConnectionString;
    }

    /// <summary>Host, port and database only: what a log line may say about the connection.</summary>
    public string SafeDescription()
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(ConnectionString);
            return $"{builder.Host}:{builder.Port}/{builder.Database}";
        }
        catch (ArgumentException)
        {
            return "(unparsable connection string)";
        }
    }
}
