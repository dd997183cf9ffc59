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
