using Npgsql;

namespace TusUpload.Pipeline.IntegrationTests.Embedded;

/// <summary>
/// A database of its own on the test PostgreSQL (<c>TUS_TEST_POSTGRES</c>) for one server process, whose migrations
/// journal in its public schema; dropped afterwards.
/// </summary>
internal sealed class PostgresTestDatabase : IAsyncDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private readonly string _adminConnectionString;

    private readonly string _name;

    private PostgresTestDatabase(string adminConnectionString, string name)
    {
        _adminConnectionString = adminConnectionString;
        _name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(adminConnectionString) { Database = name }
            .ConnectionString;
    }

    public string ConnectionString { get; }

    public static async Task<PostgresTestDatabase> CreateAsync()
    {
        var baseConnectionString = Environment.GetEnvironmentVariable("TUS_TEST_POSTGRES");
        Assert.False(
            string.IsNullOrWhiteSpace(baseConnectionString),
            "TUS_TEST_POSTGRES is not set: run the tests with scripts/test.sh "
            + "(or eval \"$(scripts/services.sh env)\" after scripts/services.sh start postgres).");
        var admin = new NpgsqlConnectionStringBuilder(baseConnectionString) { Database = "postgres", Pooling = false };
        var database = new PostgresTestDatabase(
            admin.ConnectionString, "tus_embedded_" + Guid.NewGuid().ToString("N")[..12]);

        await using var connection = new NpgsqlConnection(database._adminConnectionString);
        await connection.OpenAsync().WaitAsync(Wait);
        await using var create = new NpgsqlCommand($"CREATE DATABASE {database._name}", connection);
        await create.ExecuteNonQueryAsync().WaitAsync(Wait);
        return database;
    }

    public async Task<(long Blobs, long References)> BlobRowsAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync().WaitAsync(Wait);
        await using var command = new NpgsqlCommand(
            "SELECT COUNT(*), COALESCE(SUM(reference_count), 0)::bigint FROM ledger_blobs",
            connection);
        await using var reader = await command.ExecuteReaderAsync().WaitAsync(Wait);
        Assert.True(await reader.ReadAsync());
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync().WaitAsync(Wait);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync().WaitAsync(Wait);
    }

    public async Task<long> CountAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync().WaitAsync(Wait);
        await using var command = new NpgsqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync().WaitAsync(Wait);
        return Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_adminConnectionString);
        await connection.OpenAsync().WaitAsync(Wait);
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_name} WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync().WaitAsync(Wait);
    }
}
