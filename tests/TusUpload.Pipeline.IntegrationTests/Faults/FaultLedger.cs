using System.Globalization;
using Microsoft.Data.Sqlite;
using Npgsql;
using TusUpload.Pipeline.IntegrationTests.Embedded;
using TusUpload.Pipeline.Ledger;

namespace TusUpload.Pipeline.IntegrationTests.Faults;

/// <summary>
/// The ledger a fault test's processes share: a SQLite file in a temp folder (the embedded default), or a fresh
/// PostgreSQL database of its own on <c>TUS_TEST_POSTGRES</c> (production shape), dropped at the end so tests never
/// see each other's rows. The test reads it with plain SQL that both databases accept.
/// </summary>
internal sealed class FaultLedger : IAsyncDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private readonly string _sqlitePath;

    private readonly PostgresTestDatabase? _database;

    private FaultLedger(string kind, string sqlitePath, PostgresTestDatabase? database)
    {
        Kind = kind;
        _sqlitePath = sqlitePath;
        _database = database;
    }

    /// <summary><see cref="LedgerKinds.Sqlite"/> or <see cref="LedgerKinds.Postgres"/>.</summary>
    public string Kind { get; }

    // The database's own string is unpooled (made for create and drop); the processes get a pooled one, as in
    // production.
    private string PooledConnectionString =>
        new NpgsqlConnectionStringBuilder(_database!.ConnectionString) { Pooling = true }.ConnectionString;

    /// <summary>The settings that point a server or worker process at this ledger.</summary>
    public IReadOnlyList<string> Arguments => _database is null
        ? [$"--Ledger:Path={_sqlitePath}"]
        : ["--Ledger:Kind=postgres", $"--Postgres:ConnectionString={PooledConnectionString}"];

    /// <summary>The same settings as configuration pairs, for a ledger built inside the test process.</summary>
    public IReadOnlyList<(string Key, string Value)> Settings => _database is null
        ? [("Ledger:Path", _sqlitePath)]
        : [("Ledger:Kind", LedgerKinds.Postgres), ("Postgres:ConnectionString", PooledConnectionString)];

    public static async Task<FaultLedger> CreateAsync(string kind) => kind switch
    {
        LedgerKinds.Sqlite => new FaultLedger(
            kind,
            Path.Combine(Directory.CreateTempSubdirectory("tus-fault-ledger-").FullName, "ledger.db"),
            null),
        LedgerKinds.Postgres => new FaultLedger(kind, "", await PostgresTestDatabase.CreateAsync()),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "sqlite or postgres"),
    };

    /// <summary>One number from <paramref name="sql"/> (count, sum), read outside the processes under test.</summary>
    public async Task<long> CountAsync(string sql)
    {
        var value = _database is null ? await SqliteScalarAsync(sql) : await PostgresScalarAsync(sql);

        // PostgreSQL's sum() of a bigint is numeric and NULL over no rows; both mean a count here.
        return value is null or DBNull ? 0 : Convert.ToInt64(value, CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
            return;
        }

        // Pooled connections of the test process would keep the file open; the processes are gone by now.
        SqliteConnection.ClearAllPools();
        Directory.Delete(Path.GetDirectoryName(_sqlitePath)!, recursive: true);
    }

    private async Task<object?> SqliteScalarAsync(string sql)
    {
        // Read-only and unpooled, so the test never holds the file the server and worker write.
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = _sqlitePath,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString();
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync().WaitAsync(Wait);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync().WaitAsync(Wait);
    }

    private async Task<object?> PostgresScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_database!.ConnectionString);
        await connection.OpenAsync().WaitAsync(Wait);
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync().WaitAsync(Wait);
    }
}
