using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace TusUpload.Pipeline.Ledger.Sqlite;

/// <summary>
/// Group commit for the SQLite ledger. A SQLite file has one writer at a time and, in WAL mode, every COMMIT costs
/// one fsync of the log; so writes that arrive while a commit is in progress queue, and the next transaction takes
/// up to <see cref="LedgerOptions.MaxWritesPerCommit"/> of them in queue order, each inside its own savepoint, and
/// commits them together. No write waits for company: one that finds the ledger idle starts a transaction at once.
/// Each caller learns its own result (or exception) only after the COMMIT returned, that is, once it is durable.
/// A transaction that failed as a whole, or whose end failed, calls <paramref name="connectionSuspect"/>: a ledger
/// that keeps its write connection then opens a new one rather than trust it with the next batch. One that failed
/// because another process holds the file's lock (SQLite's busy timeout ran out) fails the writes queued behind it
/// too: each batch of them would wait the whole busy timeout again, and a creation queued far back answered its 503
/// only after several (75 s at the default 15 s, with 200 creations queued), past what proxies commonly allow.
/// </summary>
internal sealed class SqliteGroupCommit(
    Func<CancellationToken, Task<LedgerWriteScope>> beginWrite,
    int maxWritesPerCommit,
    SqliteLedgerMetrics metrics,
    ILogger logger,
    Action? connectionSuspect = null)
{
    // Released after every write that succeeded and rolled back to after one that threw, so one name serves all.
    private const string WriteSavepoint = "ledger_write";

    private const int SqliteBusy = 5;

    private const int SqliteLocked = 6;

    private readonly Lock _lock = new();

    private readonly Queue<SqliteQueuedWrite> _queue = new();

    private bool _committing;

    /// <summary>
    /// Queues <paramref name="work"/> before returning, so writes called one after another from one thread are
    /// applied in that order. <paramref name="cancellationToken"/> drops the write only while it still waits.
    /// </summary>
    public async Task<T> WriteAsync<T>(
        Func<DbConnection, DbTransaction, CancellationToken, Task<T>> work,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();

        var write = new SqliteQueuedWrite(
            async (connection, transaction, token) => await work(connection, transaction, token),
            cancellationToken);

        bool startCommitter;
        lock (_lock)
        {
            _queue.Enqueue(write);
            startCommitter = !_committing;
            _committing = true;
        }

        if (startCommitter)
        {
            await CommitFirstBatchAsync();
        }

        return (T)(await write.Outcome)!;
    }

    /// <summary>
    /// The write that found the ledger idle commits on its caller's thread, as a lone write always did; writes that
    /// queued meanwhile go to a committer on the thread pool, so this caller does not carry their commits.
    /// </summary>
    private async Task CommitFirstBatchAsync()
    {
        var batch = TakeBatch();
        if (batch.Count == 0)
        {
            return;
        }

        await CommitReportingFaultsAsync(batch);

        bool more;
        lock (_lock)
        {
            more = _queue.Count > 0;
            _committing = more;
        }

        if (more)
        {
            _ = Task.Run(CommitWhileQueuedAsync, CancellationToken.None);
        }
    }

    private async Task CommitWhileQueuedAsync()
    {
        while (TakeBatch() is { Count: > 0 } batch)
        {
            await CommitReportingFaultsAsync(batch);
        }
    }

    private async Task CommitReportingFaultsAsync(List<SqliteQueuedWrite> batch)
    {
        try
        {
            await CommitAsync(batch);
        }
        catch (Exception exception)
        {
            // CommitAsync reports every outcome itself; this only keeps a fault in reporting (a metrics listener
            // that throws) from ending the committer while writes still queue behind it.
            LedgerLog.CommitFailed(logger, batch.Count, exception.Message);
            foreach (var write in batch)
            {
                write.BatchFailed(exception, batch.Count);
            }
        }
    }

    /// <summary>The next writes in queue order, without dropped ones; empty, ending the committer, if none.</summary>
    private List<SqliteQueuedWrite> TakeBatch()
    {
        lock (_lock)
        {
            var batch = new List<SqliteQueuedWrite>(Math.Min(_queue.Count, maxWritesPerCommit));
            while (batch.Count < maxWritesPerCommit && _queue.TryDequeue(out var write))
            {
                if (!write.IsDropped)
                {
                    batch.Add(write);
                }
            }

            if (batch.Count == 0)
            {
                _committing = false;
            }

            return batch;
        }
    }

    private async Task CommitAsync(List<SqliteQueuedWrite> batch)
    {
        var ran = 0;
        var failedAlone = false;
        var committed = false;
        try
        {
            await using var scope = await beginWrite(CancellationToken.None);

            if (batch is [var lone])
            {
                // Alone in its transaction a write needs no savepoint: if it throws, the transaction is its own to
                // undo, and leaving without COMMIT does that.
                if (lone.TryStart())
                {
                    ran = 1;
                    failedAlone = !await lone.TryRunAsync(scope.Connection, scope.Transaction);
                }
            }
            else
            {
                foreach (var write in batch)
                {
                    // A write whose caller gave up while it waited is skipped here, before anything of it ran.
                    if (write.TryStart())
                    {
                        ran++;
                        await RunInSavepointAsync(scope, write);
                    }
                }
            }

            if (!failedAlone)
            {
                await scope.Transaction.CommitAsync(CancellationToken.None);
                committed = true;
            }
        }
        catch (Exception exception) when (!committed)
        {
            connectionSuspect?.Invoke();
            LedgerLog.CommitFailed(logger, batch.Count, exception.Message);
            foreach (var write in batch)
            {
                write.BatchFailed(exception, batch.Count);
            }

            if (IsLockedByAnother(exception))
            {
                FailQueued(exception);
            }

            return;
        }
        catch (Exception exception)
        {
            // Only ending the transaction or returning the connection failed, after the COMMIT: the writes are
            // durable and are reported so.
            connectionSuspect?.Invoke();
            LedgerLog.CloseAfterCommitFailed(logger, exception.Message);
        }

        if (committed && ran > 0)
        {
            metrics.Committed(ran);
        }

        foreach (var write in batch)
        {
            write.ReportOutcome();
        }
    }

    /// <summary>SQLITE_BUSY or SQLITE_LOCKED: the busy timeout ran out while another connection held a lock.</summary>
    internal static bool IsLockedByAnother(Exception exception) =>
        exception is SqliteException { SqliteErrorCode: SqliteBusy or SqliteLocked };

    private void FailQueued(Exception exception)
    {
        List<SqliteQueuedWrite> queued;
        lock (_lock)
        {
            queued = [.. _queue];
            _queue.Clear();
        }

        if (queued.Count == 0)
        {
            return;
        }

        LedgerLog.QueuedWritesFailed(logger, queued.Count);
        foreach (var write in queued)
        {
            write.BatchFailed(exception, queued.Count);
        }
    }

    /// <summary>
    /// Runs one write inside its own savepoint. A write that throws is rolled back to the savepoint and fails alone;
    /// the writes before and after it in the transaction stay. If SQLite has already ended the whole transaction
    /// (an I/O error or a full disk can do that), the rollback to the savepoint throws, and so does the batch.
    /// </summary>
    private static async Task RunInSavepointAsync(LedgerWriteScope scope, SqliteQueuedWrite write)
    {
        await scope.Transaction.SaveAsync(WriteSavepoint);

        if (!await write.TryRunAsync(scope.Connection, scope.Transaction))
        {
            await scope.Transaction.RollbackAsync(WriteSavepoint);
        }

        await scope.Transaction.ReleaseAsync(WriteSavepoint);
    }
}
