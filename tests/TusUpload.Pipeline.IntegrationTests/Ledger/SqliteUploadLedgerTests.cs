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
        Assert.Equal(2L, (long?)await version.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Pruning_finds_sent_rows_through_the_partial_index_on_sent_at_not_a_table_scan()
    {
        await Ledger.CountUnsentOutboxAsync(CancellationToken.None).WaitAsync(LedgerTestData.Wait);

        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_factory.DatabasePath}");
        await connection.OpenAsync();
        await using var plan = connection.CreateCommand();
        plan.CommandText =
            """
            EXPLAIN QUERY PLAN
            SELECT id FROM ledger_outbox WHERE sent_at IS NOT NULL AND sent_at < 1 ORDER BY sent_at LIMIT 1000
            """;
        var steps = new List<string>();
        await using (var reader = await plan.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                steps.Add(reader.GetString(3));
            }
        }

        Assert.Contains(steps, step => step.Contains("INDEX ledger_outbox_sent", StringComparison.Ordinal));
        Assert.DoesNotContain(steps, step => step.StartsWith("SCAN ledger_outbox", StringComparison.Ordinal));
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

    protected override Task<IUploadLedger> CreateLedgerWithClockAsync(TimeProvider time) =>
        Task.FromResult<IUploadLedger>(_factory.Create(time: time));

    protected override Task<long> CountOutboxRowsAsync() => _factory.CountOutboxRowsAsync();
}
