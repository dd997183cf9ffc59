using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using TusUpload.Postgres;
using TusUpload.Postgres.Migrations;

namespace TusUpload.Stores.IntegrationTests.Postgres;

/// <summary>Migrates the test database once, with the same migrator the server runs at start-up.</summary>
public sealed class PostgresDatabaseFixture : IAsyncLifetime
{
    public NpgsqlDataSource DataSource { get; } = NpgsqlDataSource.Create(PostgresTestEnvironment.ConnectionString);

    public PostgresMigrator Migrator => new(
        DataSource,
        Options.Create(new PostgresOptions { ConnectionString = PostgresTestEnvironment.ConnectionString }),
        NullLogger<PostgresMigrator>.Instance);

    public async Task InitializeAsync()
    {
        await Migrator.MigrateAsync(CancellationToken.None).WaitAsync(TestData.Timeout);
    }

    public async Task DisposeAsync()
    {
        await DataSource.DisposeAsync();
    }
}
