using Npgsql;

namespace TusUpload.Postgres.Ledger;

/// <summary>
/// Applies the ledger's migration script (<c>Migrations/0100_ledger.sql</c>, embedded) under an advisory lock, so
/// that several instances starting together do not race on <c>CREATE … IF NOT EXISTS</c>.
/// </summary>
public static class PostgresLedgerSchema
{
    private const long AdvisoryLockKey = 0x7475_735F_6C65_6467; // "tus_ledg"

    public static async Task ApplyAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        var script = await ReadScriptAsync(cancellationToken);

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key)", connection, transaction))
        {
            lockCommand.Parameters.AddWithValue("key", AdvisoryLockKey);
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var command = new NpgsqlCommand(script, connection, transaction))
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private static async Task<string> ReadScriptAsync(CancellationToken cancellationToken)
    {
        var assembly = typeof(PostgresLedgerSchema).Assembly;
        var name = assembly.GetManifestResourceNames().SingleOrDefault(n => n.EndsWith("0100_ledger.sql", StringComparison.Ordinal))
            ?? throw new InvalidOperationException("The ledger migration 0100_ledger.sql is not embedded in TusUpload.Postgres.");

        await using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync(cancellationToken);
    }
}
