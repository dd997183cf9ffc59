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

    [Fact]
    public async Task Start_up_as_owner_frees_the_claims_of_a_dead_run_and_leaves_sent_rows_sent()
    {
        var dead = _factory.Create(TimeSpan.FromHours(1));
        var pending = await ReceivedUploadAsync(dead);
        var sent = await ReceivedUploadAsync(dead);
        var claimed = await dead.ClaimOutboxAsync(10, CancellationToken.None).WaitAsync(LedgerTestData.Wait);
        var sentId = claimed.Single(message => message.UploadId == sent).Id;
        await dead.MarkOutboxSentAsync([sentId], CancellationToken.None).WaitAsync(LedgerTestData.Wait);
        var restarted = _factory.Create(TimeSpan.FromHours(1));
        var beforeStart = await restarted.ClaimOutboxAsync(10, CancellationToken.None).WaitAsync(LedgerTestData.Wait);

        await restarted.StartAsOwnerAsync(CancellationToken.None).WaitAsync(LedgerTestData.Wait);
        var afterStart = await restarted.ClaimOutboxAsync(10, CancellationToken.None).WaitAsync(LedgerTestData.Wait);

        Assert.Empty(beforeStart);
        Assert.Equal([pending], afterStart.Select(message => message.UploadId).ToArray());
    }

    private static async Task<string> ReceivedUploadAsync(IUploadLedger ledger)
    {
        var uploadId = LedgerTestData.NewUploadId();
        await ledger.RecordCreatedAsync(uploadId, 5, CancellationToken.None).WaitAsync(LedgerTestData.Wait);
        await ledger.RecordReceivedAsync(uploadId, 5, CancellationToken.None).WaitAsync(LedgerTestData.Wait);
        return uploadId;
    }

    protected override Task<IUploadLedger> CreateLedgerAsync(TimeSpan? claimLease) =>
        Task.FromResult<IUploadLedger>(_factory.Create(claimLease));
}
