using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using TusUpload.Pipeline.Ledger;
using TusUpload.Postgres.Ledger;
using TusUpload.Postgres.Migrations;

namespace TusUpload.Pipeline.IntegrationTests.Ledger;

/// <summary>
/// A real PostgreSQL ledger in a schema of its own (from <c>TUS_TEST_POSTGRES</c>), with the ledger's migration
/// scripts (0100 and up) applied to it, dropped afterwards, so tests never see each other's rows.
/// </summary>
internal sealed class PostgresLedgerFactory : IAsyncDisposable
{
    private readonly List<NpgsqlDataSource> _dataSources = [];

    private PostgresLedgerFactory(string baseConnectionString, string schema)
    {
        BaseConnectionString = baseConnectionString;
        Schema = schema;
    }

    public string BaseConnectionString { get; }

    public string Schema { get; }

    public string ConnectionString =>
        new NpgsqlConnectionStringBuilder(BaseConnectionString) { SearchPath = Schema }.ConnectionString;

    public static async Task<PostgresLedgerFactory> CreateAsync()
    {
        var baseConnectionString = Environment.GetEnvironmentVariable("TUS_TEST_POSTGRES");
        Assert.False(
            string.IsNullOrWhiteSpace(baseConnectionString),
            "TUS_TEST_POSTGRES is not set: run the tests with scripts/test.sh "
            + "(or eval \"$(scripts/services.sh env)\" after scripts/services.sh start postgres).");

        var factory = new PostgresLedgerFactory(baseConnectionString!, "ledger_" + Guid.NewGuid().ToString("N")[..16]);
        await using var admin = NpgsqlDataSource.Create(baseConnectionString!);
        await using (var create = admin.CreateCommand($"CREATE SCHEMA {factory.Schema}"))
        {
            await create.ExecuteNonQueryAsync().WaitAsync(LedgerTestData.Wait);
        }

        await using var dataSource = NpgsqlDataSource.Create(factory.ConnectionString);
        foreach (var script in PostgresMigrator.EmbeddedScripts()
            .Where(s => string.CompareOrdinal(s.Name, "0100") >= 0))
        {
            await using var command = dataSource.CreateCommand(script.Contents);
            await command.ExecuteNonQueryAsync().WaitAsync(LedgerTestData.Wait);
        }

        return factory;
    }

    public PostgresUploadLedger Create(TimeSpan? claimLease = null, TimeProvider? time = null)
    {
        var dataSource = NpgsqlDataSource.Create(ConnectionString);
        _dataSources.Add(dataSource);
        return new PostgresUploadLedger(
            dataSource,
            Options.Create(new LedgerOptions { OutboxClaimLease = claimLease ?? TimeSpan.FromSeconds(60) }),
            time ?? TimeProvider.System,
            NullLogger<PostgresUploadLedger>.Instance);
    }

    /// <summary>Every outbox row of this schema, sent or not.</summary>
    public async Task<long> CountOutboxRowsAsync()
    {
        await using var dataSource = NpgsqlDataSource.Create(ConnectionString);
        await using var command = dataSource.CreateCommand("SELECT COUNT(*) FROM ledger_outbox");
        return (long)(await command.ExecuteScalarAsync().WaitAsync(LedgerTestData.Wait))!;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var dataSource in _dataSources)
        {
            await dataSource.DisposeAsync();
        }

        await using var admin = NpgsqlDataSource.Create(BaseConnectionString);
        await using var drop = admin.CreateCommand($"DROP SCHEMA IF EXISTS {Schema} CASCADE");
        await drop.ExecuteNonQueryAsync().WaitAsync(LedgerTestData.Wait);
    }
}
