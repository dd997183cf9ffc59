using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using TusUpload.Pipeline.Ledger;
using TusUpload.Pipeline.Ledger.Sqlite;
using static TusUpload.Pipeline.IntegrationTests.Ledger.LedgerTestData;

namespace TusUpload.Pipeline.IntegrationTests.Ledger;

/// <summary>
/// Failures of a group commit's transaction as a whole, on a real SQLite file with a table of its own: a BEGIN that
/// fails (injected through the begin delegate) and a transaction that SQLite ends under the batch, as it does on an
/// I/O error or a full disk (injected by a write that rolls it back and throws). Every write of that batch must fail
/// and none be kept, the connection must be reported suspect once (a ledger that keeps its write connection replaces
/// it then), and the next batch must commit as usual.
/// </summary>
public sealed class SqliteGroupCommitFailureTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("tus-group-commit-").FullName;

    private readonly WritesPerCommitRecorder _commits = new();

    private readonly SqliteGroupCommit _groupCommit;

    private Exception? _failNextBegin;

    private int _suspected;

    public SqliteGroupCommitFailureTests()
    {
        _groupCommit = new SqliteGroupCommit(
            BeginAsync,
            64,
            new SqliteLedgerMetrics(_commits.MeterFactory),
            NullLogger.Instance,
            () => Interlocked.Increment(ref _suspected));
    }

    private readonly TaskCompletionSource _firstBegin = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private int _begins;

    // A busy timeout of one second, so that a BEGIN behind another connection's lock fails soon.
    private string ConnectionString =>
        $"Data Source={Path.Combine(_folder, "items.db")};Pooling=True;Default Timeout=1";

    public async Task InitializeAsync()
    {
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        await connection.ExecuteAsync("PRAGMA journal_mode = WAL; CREATE TABLE items (name TEXT PRIMARY KEY);");
    }

    public Task DisposeAsync()
    {
        _commits.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_failed_begin_fails_every_write_of_its_batch_and_the_next_batch_commits()
    {
        var injected = new IOException("injected: the ledger's disk went away at BEGIN");
        var (held, release) = await HoldAsync();

        var first = _groupCommit.WriteAsync(Insert("a"), CancellationToken.None);
        var second = _groupCommit.WriteAsync(Insert("b"), CancellationToken.None);
        _failNextBegin = injected;
        release.SetResult();

        await held.WaitAsync(Wait);
        foreach (var write in new[] { first, second })
        {
            var failure = await Assert.ThrowsAsync<LedgerBatchFailedException>(() => write.WaitAsync(Wait));
            Assert.Same(injected, failure.InnerException);
        }

        await _groupCommit.WriteAsync(Insert("c"), CancellationToken.None).WaitAsync(Wait);
        Assert.Equal(["c", "held"], await ItemsAsync());
        Assert.Equal([1, 1], _commits.Sizes);
        Assert.Equal(1, _suspected);
    }

    [Fact]
    public async Task A_transaction_ended_under_the_batch_fails_every_write_of_it_and_keeps_none()
    {
        var injected = new InvalidOperationException("injected: an I/O error ended the transaction");
        var (held, release) = await HoldAsync();

        var before = _groupCommit.WriteAsync(Insert("a"), CancellationToken.None);
        var breaking = _groupCommit.WriteAsync<int>(
            async (connection, transaction, cancellationToken) =>
            {
                await Insert("b")(connection, transaction, cancellationToken);
                await connection.ExecuteAsync(new CommandDefinition(
                    "ROLLBACK",
                    transaction: transaction,
                    cancellationToken: cancellationToken));
                throw injected;
            },
            CancellationToken.None);
        var after = _groupCommit.WriteAsync(Insert("c"), CancellationToken.None);
        release.SetResult();

        await held.WaitAsync(Wait);
        Assert.Same(injected, await Assert.ThrowsAsync<InvalidOperationException>(() => breaking.WaitAsync(Wait)));
        foreach (var write in new[] { before, after })
        {
            var failure = await Assert.ThrowsAsync<LedgerBatchFailedException>(() => write.WaitAsync(Wait));
            // Microsoft.Data.Sqlite notices SQLite's own rollback and refuses the savepoint rollback that follows.
            Assert.NotNull(failure.InnerException);
        }

        await _groupCommit.WriteAsync(Insert("d"), CancellationToken.None).WaitAsync(Wait);
        Assert.Equal(["d", "held"], await ItemsAsync());
        Assert.Equal([1, 1], _commits.Sizes);
        Assert.Equal(1, _suspected);
    }

    [Fact]
    public async Task A_transaction_that_finds_the_file_locked_fails_the_writes_queued_behind_it_without_waiting_again()
    {
        // Another connection, as another process would, holds the file's write lock throughout.
        await using var other = new SqliteConnection(ConnectionString);
        await other.OpenAsync();
        await using var held = other.BeginTransaction(deferred: false);

        var first = Task.Run(() => _groupCommit.WriteAsync(Insert("a"), CancellationToken.None));
        await _firstBegin.Task.WaitAsync(Wait);
        var queued = Enumerable.Range(0, 70)
            .Select(i => _groupCommit.WriteAsync(Insert($"q{i}"), CancellationToken.None))
            .ToList();

        foreach (var write in queued.Prepend(first))
        {
            var failure = await Assert.ThrowsAsync<LedgerBatchFailedException>(() => write.WaitAsync(Wait));
            Assert.Equal(5, Assert.IsType<SqliteException>(failure.InnerException).SqliteErrorCode);
        }

        // One BEGIN waited out the busy timeout; without failing the queue, batches of 64 and 6 would each wait again.
        Assert.Equal(1, _begins);
        await held.RollbackAsync();
        await _groupCommit.WriteAsync(Insert("z"), CancellationToken.None).WaitAsync(Wait);
        Assert.Equal(["z"], await ItemsAsync());
        Assert.Equal(2, _begins);
    }

    private static Func<DbConnection, DbTransaction, CancellationToken, Task<int>> Insert(string name) =>
        (connection, transaction, cancellationToken) => connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO items (name) VALUES (@name)",
            new { name },
            transaction,
            cancellationToken: cancellationToken));

    private async Task<LedgerWriteScope> BeginAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _begins);
        _firstBegin.TrySetResult();
        if (Interlocked.Exchange(ref _failNextBegin, null) is { } failure)
        {
            throw failure;
        }

        var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken);
        return new LedgerWriteScope(connection, connection.BeginTransaction(deferred: false), null);
    }

    /// <summary>A write that inserts "held", then waits inside its transaction until the test releases it.</summary>
    private async Task<(Task<int> Held, TaskCompletionSource Release)> HoldAsync()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var held = _groupCommit.WriteAsync(
            async (connection, transaction, cancellationToken) =>
            {
                var inserted = await Insert("held")(connection, transaction, cancellationToken);
                entered.SetResult();
                await release.Task.WaitAsync(Wait, cancellationToken);
                return inserted;
            },
            CancellationToken.None);

        await entered.Task.WaitAsync(Wait, CancellationToken.None);
        return (held, release);
    }

    private async Task<string[]> ItemsAsync()
    {
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        return [.. await connection.QueryAsync<string>("SELECT name FROM items ORDER BY name")];
    }
}
