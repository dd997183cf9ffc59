using DbUp;
using DbUp.Engine;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace TusUpload.Postgres.Migrations;

/// <summary>
/// Applies the embedded migration scripts with DbUp, in the order of their file names, each once (journal
/// table <c>tus_schema_versions</c>). Instances starting together take turns through an advisory lock.
/// </summary>
public sealed class PostgresMigrator(
    NpgsqlDataSource dataSource,
    IOptions<PostgresOptions> options,
    ILogger<PostgresMigrator> logger)
{
    private const string JournalTable = "tus_schema_versions";

    /// <summary>Advisory lock key shared by every TusUpload instance ("TUSMIGR" in ASCII).</summary>
    private const long MigrationLockKey = 0x5455_534D_4947_52;

    /// <summary>Every embedded <c>.sql</c> script, named by its file name and sorted by it.</summary>
    public static IReadOnlyList<SqlScript> EmbeddedScripts()
    {
        var assembly = typeof(PostgresMigrator).Assembly;
        var scripts = new List<SqlScript>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.EndsWith(".sql", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            scripts.Add(new SqlScript(FileNameOf(resource), reader.ReadToEnd()));
        }

        scripts.Sort((left, right) => string.CompareOrdinal(left.Name, right.Name));
        return scripts;
    }

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        var database = options.Value.SafeDescription();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var take = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", connection))
        {
            take.Parameters.AddWithValue("key", MigrationLockKey);
            await take.ExecuteNonQueryAsync(cancellationToken);
        }

        try
        {
            var scripts = EmbeddedScripts();
            var engine = DeployChanges.To
                .PostgresqlDatabase(options.Value.ConnectionString)
                .WithScripts(scripts)
                .JournalToPostgresqlTable("public", JournalTable)
                .WithTransactionPerScript()
                .LogToNowhere()
                .Build();

            // DbUp is synchronous; keep it off the caller's thread.
            var result = await Task.Run(engine.PerformUpgrade, cancellationToken);
            if (!result.Successful)
            {
                PostgresLog.MigrationFailed(logger, result.ErrorScript?.Name ?? "(none)", database, result.Error);
                throw new InvalidOperationException(
                    $"PostgreSQL migration {result.ErrorScript?.Name} failed on {database}.",
                    result.Error);
            }

            foreach (var script in result.Scripts)
            {
                PostgresLog.ScriptApplied(logger, script.Name);
            }

            PostgresLog.MigrationsApplied(logger, database, result.Scripts.Count(), scripts.Count);
        }
        finally
        {
            await using var release = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", connection);
            release.Parameters.AddWithValue("key", MigrationLockKey);
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    /// <summary><c>TusUpload.Postgres.Migrations.0001_upload_lease.sql</c> → <c>0001_upload_lease.sql</c>.</summary>
    private static string FileNameOf(string resource)
    {
        var withoutExtension = resource[..^".sql".Length];
        var lastDot = withoutExtension.LastIndexOf('.');
        return withoutExtension[(lastDot + 1)..] + ".sql";
    }
}
