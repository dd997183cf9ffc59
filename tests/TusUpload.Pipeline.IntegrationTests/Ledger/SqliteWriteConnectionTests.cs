using Dapper;
using Microsoft.Data.Sqlite;
using TusUpload.Pipeline.Ledger.Sqlite;
using static TusUpload.Pipeline.IntegrationTests.Ledger.LedgerTestData;

namespace TusUpload.Pipeline.IntegrationTests.Ledger;

/// <summary>
/// The SQLite ledger's write connection, which keeps one compiled command per SQL text, on a real file and through
/// Dapper as the ledger calls it: a run reuses the compiled command of an earlier run of its text, and nothing of an
/// earlier run (its parameters, its open reader) leaks into a later one.
/// </summary>
public sealed class SqliteWriteConnectionTests : IAsyncLifetime
{
    private const string InsertItem = "INSERT INTO items (name, size) VALUES (@name, @size)";

    private readonly string _folder = Directory.CreateTempSubdirectory("tus-write-connection-").FullName;

    private SqliteWriteConnection _writer = null!;

    public async Task InitializeAsync()
    {
        var connection = new SqliteConnection($"Data Source={Path.Combine(_folder, "items.db")};Pooling=False");
        await connection.OpenAsync();
        await connection.ExecuteAsync("CREATE TABLE items (name TEXT PRIMARY KEY, size INTEGER NOT NULL)");
        _writer = new SqliteWriteConnection(connection);
    }

    public Task DisposeAsync()
    {
        _writer.Dispose();
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Runs_of_one_text_share_one_compiled_command()
    {
        await _writer.ExecuteAsync(InsertItem, new { name = "a", size = 1 }).WaitAsync(Wait);
        await _writer.ExecuteAsync(InsertItem, new { name = "b", size = 2 }).WaitAsync(Wait);
        await _writer.ExecuteAsync(InsertItem, new { name = "c", size = 3 }).WaitAsync(Wait);

        Assert.Equal(1, _writer.IdleCommands(InsertItem));
        Assert.Equal([("a", 1L), ("b", 2L), ("c", 3L)], await ItemsAsync());
    }

    [Fact]
    public async Task A_compiled_command_waits_without_the_parameters_and_transaction_of_its_last_run()
    {
        await using (var transaction = _writer.BeginImmediate())
        {
            await _writer.ExecuteAsync(InsertItem, new { name = "a", size = 1 }, transaction).WaitAsync(Wait);
            await transaction.CommitAsync();
        }

        var compiled = _writer.Borrow(InsertItem);
        try
        {
            Assert.Equal(0, _writer.IdleCommands(InsertItem));
            Assert.Empty(compiled.Parameters);
            Assert.Null(compiled.Transaction);
        }
        finally
        {
            _writer.GiveBack(InsertItem, compiled);
        }

        await _writer.ExecuteAsync(InsertItem, new { name = "b", size = 2 }).WaitAsync(Wait);
        Assert.Equal([("a", 1L), ("b", 2L)], await ItemsAsync());
    }

    [Fact]
    public async Task A_list_that_Dapper_writes_into_the_text_binds_every_item_and_the_other_parameters()
    {
        foreach (var (name, size) in new[] { ("a", 1), ("b", 2), ("c", 3), ("d", 4) })
        {
            await _writer.ExecuteAsync(InsertItem, new { name, size }).WaitAsync(Wait);
        }

        // Dapper adds the list's items, rewrites the text, then adds the parameters after the list.
        var sizes = await _writer.QueryAsync<long>(
            "SELECT size FROM items WHERE name IN @names AND size > @least ORDER BY size",
            new { names = new[] { "a", "b", "d" }, least = 1 }).WaitAsync(Wait);

        Assert.Equal([2L, 4L], sizes);
    }

    [Fact]
    public async Task A_run_beside_an_open_reader_of_the_same_text_gets_a_command_of_its_own()
    {
        await _writer.ExecuteAsync(InsertItem, new { name = "a", size = 1 }).WaitAsync(Wait);
        await _writer.ExecuteAsync(InsertItem, new { name = "b", size = 2 }).WaitAsync(Wait);
        const string Select = "SELECT name FROM items WHERE size >= @least ORDER BY name";

        await using (var first = _writer.CreateCommand())
        {
            first.CommandText = Select;
            first.Parameters.Add(new SqliteParameter("@least", 1));
            await using var reader = await first.ExecuteReaderAsync().WaitAsync(Wait);
            Assert.True(await reader.ReadAsync());

            var second = await _writer.QueryAsync<string>(Select, new { least = 2 }).WaitAsync(Wait);

            Assert.Equal(["b"], second);
            Assert.Equal("a", reader.GetString(0));
            Assert.True(await reader.ReadAsync());
            Assert.Equal("b", reader.GetString(0));
        }

        Assert.Equal(2, _writer.IdleCommands(Select));
    }

    [Fact]
    public async Task Texts_past_the_cache_bound_still_run_and_are_not_kept()
    {
        for (var i = 0; i < 80; i++)
        {
            await _writer.ExecuteAsync($"INSERT INTO items (name, size) VALUES (@name, {i})", new { name = $"n{i}" })
                .WaitAsync(Wait);
        }

        Assert.Equal(64, _writer.CachedTexts);
        Assert.Equal(80, (await ItemsAsync()).Length);
    }

    private async Task<(string Name, long Size)[]> ItemsAsync() =>
        [.. await _writer.QueryAsync<(string, long)>("SELECT name, size FROM items ORDER BY name").WaitAsync(Wait)];
}
