using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TusUpload.Pipeline.Ledger;
using TusUpload.Pipeline.Ledger.Sqlite;

namespace TusUpload.Pipeline.IntegrationTests.Ledger;

/// <summary>A real SQLite ledger file in a temporary folder of its own, removed afterwards.</summary>
internal sealed class SqliteLedgerFactory : IAsyncDisposable
{
    public string Folder { get; } = Directory.CreateTempSubdirectory("tus-ledger-").FullName;

    public string DatabasePath => Path.Combine(Folder, "ledger.db");

    public SqliteUploadLedger Create(
        TimeSpan? claimLease = null,
        IMeterFactory? meterFactory = null,
        int maxWritesPerCommit = 64,
        TimeProvider? time = null,
        TimeSpan? busyTimeout = null)
    {
        var options = new LedgerOptions
        {
            Path = DatabasePath,
            OutboxClaimLease = claimLease ?? TimeSpan.FromSeconds(60),
            MaxWritesPerCommit = maxWritesPerCommit,
        };
        if (busyTimeout is { } timeout)
        {
            options.BusyTimeout = timeout;
        }

        return new SqliteUploadLedger(
            Options.Create(options),
            time ?? TimeProvider.System,
            NullLogger<SqliteUploadLedger>.Instance,
            meterFactory);
    }

    /// <summary>Every outbox row, sent or not, read straight from the file.</summary>
    public async Task<long> CountOutboxRowsAsync()
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={DatabasePath}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM ledger_outbox";
        return (long)(await command.ExecuteScalarAsync().WaitAsync(LedgerTestData.Wait))!;
    }

    public ValueTask DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(Folder, recursive: true);
        return ValueTask.CompletedTask;
    }
}
