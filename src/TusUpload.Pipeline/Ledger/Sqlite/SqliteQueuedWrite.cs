using System.Data.Common;

namespace TusUpload.Pipeline.Ledger.Sqlite;

/// <summary>
/// One caller's write waiting for, or taking part in, a group commit. It is either dropped (its caller's token fired
/// while it waited) or started, never both: the two are decided by one compare-and-swap, so a write that ran inside
/// a transaction always reports that transaction's outcome, and a dropped one never runs.
/// </summary>
internal sealed class SqliteQueuedWrite
{
    private const int Waiting = 0;

    private const int Started = 1;

    private const int Dropped = 2;

    private readonly Func<DbConnection, DbTransaction, CancellationToken, Task<object?>> _work;

    private readonly CancellationToken _cancellationToken;

    // Continuations run on the thread pool, not inline on the committer, which goes on to the next batch.
    private readonly TaskCompletionSource<object?> _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private readonly CancellationTokenRegistration _registration;

    private int _state;

    private object? _result;

    private Exception? _ownFailure;

    public SqliteQueuedWrite(
        Func<DbConnection, DbTransaction, CancellationToken, Task<object?>> work,
        CancellationToken cancellationToken)
    {
        _work = work;
        _cancellationToken = cancellationToken;
        _registration = cancellationToken.Register(static write => ((SqliteQueuedWrite)write!).Drop(), this);
    }

    /// <summary>Completes only after the commit that holds this write was durable, or failed.</summary>
    public Task<object?> Outcome => _outcome.Task;

    public bool IsDropped => Volatile.Read(ref _state) == Dropped;

    /// <summary>Claims the write for the running transaction; false when its caller gave up first.</summary>
    public bool TryStart()
    {
        if (Interlocked.CompareExchange(ref _state, Started, Waiting) != Waiting)
        {
            return false;
        }

        _registration.Dispose();
        return true;
    }

    /// <summary>
    /// Runs the work with a token nobody cancels: it shares its transaction with other callers' writes, and a
    /// cancellation that interrupted SQLite half-way could roll back theirs too. Writes are a few statements long.
    /// False when the work threw; its exception is kept for its caller, who gets it once the batch is settled.
    /// </summary>
    public async Task<bool> TryRunAsync(DbConnection connection, DbTransaction transaction)
    {
        try
        {
            _result = await _work(connection, transaction, CancellationToken.None);
            return true;
        }
        catch (Exception exception)
        {
            _ownFailure = exception;
            return false;
        }
    }

    /// <summary>After the commit, or a lone write's own rollback: its own result, or its own exception.</summary>
    public void ReportOutcome()
    {
        if (Volatile.Read(ref _state) != Started)
        {
            return;
        }

        if (_ownFailure is { } failure)
        {
            _outcome.TrySetException(failure);
        }
        else
        {
            _outcome.TrySetResult(_result);
        }
    }

    /// <summary>The shared transaction failed (BEGIN, lost savepoint, COMMIT): none of this write was kept.</summary>
    public void BatchFailed(Exception exception, int writes)
    {
        if (Interlocked.CompareExchange(ref _state, Started, Waiting) == Waiting)
        {
            _registration.Dispose();
        }
        else if (Volatile.Read(ref _state) != Started)
        {
            return;
        }

        _outcome.TrySetException(_ownFailure ?? new LedgerBatchFailedException(writes, exception));
    }

    private void Drop()
    {
        if (Interlocked.CompareExchange(ref _state, Dropped, Waiting) == Waiting)
        {
            _outcome.TrySetCanceled(_cancellationToken);
        }
    }
}
