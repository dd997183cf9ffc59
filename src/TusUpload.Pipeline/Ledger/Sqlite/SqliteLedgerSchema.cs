using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace TusUpload.Pipeline.Ledger.Sqlite;

/// <summary>
/// The SQLite ledger's schema with its own migration table (<c>ledger_migrations</c>): each step runs once, in a
/// transaction with the row that records it, so a crash mid-migration leaves the previous version intact.
/// </summary>
public static class SqliteLedgerSchema
{
    private static readonly string[] Steps =
    [
        """
        CREATE TABLE ledger_uploads (
            id TEXT PRIMARY KEY,
            state TEXT NOT NULL,
            length INTEGER,
            sha256 TEXT,
            verdict TEXT,
            failure_reason TEXT,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL);
        CREATE INDEX ledger_uploads_sha256 ON ledger_uploads (sha256);
        CREATE TABLE ledger_blobs (
            sha256 TEXT PRIMARY KEY,
            length INTEGER NOT NULL,
            reference_count INTEGER NOT NULL CHECK (reference_count >= 0),
            created_at INTEGER NOT NULL);
        CREATE TABLE ledger_audit (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            upload_id TEXT NOT NULL,
            at INTEGER NOT NULL,
            from_state TEXT,
            to_state TEXT NOT NULL,
            actor TEXT NOT NULL,
            reason TEXT);
        CREATE INDEX ledger_audit_upload ON ledger_audit (upload_id, id);
        CREATE TABLE ledger_outbox (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            upload_id TEXT NOT NULL,
            event_type TEXT NOT NULL,
            payload TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            claimed_until INTEGER,
            claim_count INTEGER NOT NULL DEFAULT 0,
            sent_at INTEGER,
            UNIQUE (upload_id, event_type));
        CREATE INDEX ledger_outbox_unsent ON ledger_outbox (id) WHERE sent_at IS NULL;
        """,
        // Lets pruning (Ledger:SentOutboxRetention) find the oldest sent rows without reading the whole table.
        """
        CREATE INDEX ledger_outbox_sent ON ledger_outbox (sent_at) WHERE sent_at IS NOT NULL;
        """,
    ];

    public static async Task MigrateAsync(string connectionString, string path, ILogger logger)
    {
        var folder = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();

        // WAL lets readers (status requests, the backlog gauge) run beside the one writer; the mode is stored in
        // the file, so setting it once per start is enough.
        await connection.ExecuteAsync("PRAGMA journal_mode = WAL;");
        await connection.ExecuteAsync(
            "CREATE TABLE IF NOT EXISTS ledger_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL);");

        var version = await connection.ExecuteScalarAsync<long>(
            "SELECT COALESCE(MAX(version), 0) FROM ledger_migrations");
        for (var step = (int)version; step < Steps.Length; step++)
        {
            await using var transaction = connection.BeginTransaction(deferred: false);
            await connection.ExecuteAsync(Steps[step], transaction: transaction);
            await connection.ExecuteAsync(
                "INSERT INTO ledger_migrations (version, applied_at) VALUES (@version, @now)",
                new { version = step + 1, now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() },
                transaction);
            await transaction.CommitAsync();
        }

        LedgerLog.SchemaReady(logger, Steps.Length, path);
    }
}
