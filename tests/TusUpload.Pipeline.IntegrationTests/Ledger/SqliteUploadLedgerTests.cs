using TusUpload.Pipeline.Ledger;

namespace TusUpload.Pipeline.IntegrationTests.Ledger;

/// <summary>The ledger contract on a real SQLite file (WAL) per test.</summary>
public sealed class SqliteUploadLedgerTests : UploadLedgerContract
{
    private readonly SqliteLedgerFactory _factory = new();

    public override Task DisposeAsync() => _factory.DisposeAsync().AsTask();

    [Fact]
    public async Task Schema_is_created_in_wal_mode_with_its_own_migration_table()
    {
        await Ledger.CountUnsentOutboxAsync(CancellationToken.None).WaitAsync(LedgerTestData.Wait);

        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_factory.DatabasePath}");
        await connection.OpenAsync();
        await using var mode = connection.CreateCommand();
        mode.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", (string?)await mode.ExecuteScalarAsync());
        await using var version = connection.CreateCommand();
        version.CommandText = "SELECT MAX(version) FROM ledger_migrations";
        Assert.Equal(1L, (long?)await version.ExecuteScalarAsync());
    }

    protected override Task<IUploadLedger> CreateLedgerAsync(TimeSpan? claimLease) =>
        Task.FromResult<IUploadLedger>(_factory.Create(claimLease));
}
