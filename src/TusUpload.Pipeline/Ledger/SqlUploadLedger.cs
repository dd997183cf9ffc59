using System.Data.Common;
using Dapper;
using Microsoft.Extensions.Logging;

namespace TusUpload.Pipeline.Ledger;

/// <summary>
/// The ledger's logic over any SQL database that has upserts and <c>RETURNING</c> (SQLite 3.35+, PostgreSQL).
/// Every change runs in one write transaction: read the upload's state (locking its row where the database can),
/// change it only if it is one of the expected states, and append the audit row (and outbox row) beside it.
/// Derived classes supply connections, write transactions, timestamps and the outbox claim.
/// </summary>
public abstract partial class SqlUploadLedger(TimeProvider time, ILogger logger) : IUploadLedger
{
    protected TimeProvider Time { get; } = time;

    protected ILogger Logger { get; } = logger;

    /// <summary>
    /// Appended to the state read of a transition, e.g. <c> FOR UPDATE</c>, to lock the upload's row.
    /// </summary>
    protected abstract string LockRowClause { get; }

    protected abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>Opens a connection with a write transaction; disposing the returned scope ends both.</summary>
    protected abstract Task<LedgerWriteScope> BeginWriteAsync(CancellationToken cancellationToken);

    /// <summary>The database's representation of an instant, as a Dapper parameter value.</summary>
    protected abstract object ToDb(DateTimeOffset instant);

    protected abstract DateTimeOffset FromDb(object value);

    protected object Now() => ToDb(Time.GetUtcNow());

    /// <summary>
    /// Runs <paramref name="work"/> in a write transaction and returns its result once the transaction committed.
    /// The work gets its own token rather than capturing the caller's: a ledger that shares one transaction among
    /// several writes (SQLite's group commit) passes one that no single caller can cancel half-way. Write lambdas
    /// name that parameter <c>cancellationToken</c>, shadowing the caller's, so they cannot reach the caller's.
    /// </summary>
    protected virtual async Task<T> WriteAsync<T>(
        Func<DbConnection, DbTransaction, CancellationToken, Task<T>> work,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);

        await using var scope = await BeginWriteAsync(cancellationToken);

        var result = await work(scope.Connection, scope.Transaction, cancellationToken);

        await scope.Transaction.CommitAsync(cancellationToken);
        return result;
    }

    /// <summary>
    /// Moves the upload to <paramref name="to"/> if it is in one of <paramref name="from"/>; appends the audit row.
    /// Returns the state before (null when the upload is unknown) and whether this call changed it.
    /// </summary>
    protected async Task<(UploadState? Before, bool Changed)> TransitionAsync(
        DbConnection connection,
        DbTransaction transaction,
        string uploadId,
        UploadState[] from,
        UploadState to,
        string actor,
        string? reason,
        CancellationToken cancellationToken)
    {
        var before = await ReadStateForUpdateAsync(connection, transaction, uploadId, cancellationToken);
        if (before is not { } current || Array.IndexOf(from, current) < 0)
        {
            return (before, false);
        }

        var now = Now();
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE ledger_uploads SET state = @to, updated_at = @now WHERE id = @uploadId AND state = @current",
            new { uploadId, to = to.ToText(), current = current.ToText(), now },
            transaction,
            cancellationToken: cancellationToken));

        await AppendAuditAsync(connection, transaction, uploadId, current, to, actor, reason, now, cancellationToken);
        LedgerLog.Transitioned(Logger, uploadId, current.ToText(), to.ToText());
        return (current, true);
    }

    protected async Task<UploadState?> ReadStateForUpdateAsync(
        DbConnection connection,
        DbTransaction transaction,
        string uploadId,
        CancellationToken cancellationToken)
    {
        var text = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "SELECT state FROM ledger_uploads WHERE id = @uploadId" + LockRowClause,
            new { uploadId },
            transaction,
            cancellationToken: cancellationToken));

        return text is null ? null : UploadStates.Parse(text);
    }

    protected static Task AppendAuditAsync(
        DbConnection connection,
        DbTransaction transaction,
        string uploadId,
        UploadState? from,
        UploadState to,
        string actor,
        string? reason,
        object now,
        CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO ledger_audit (upload_id, at, from_state, to_state, actor, reason)
            VALUES (@uploadId, @now, @from, @to, @actor, @reason)
            """,
            new { uploadId, now, from = from?.ToText(), to = to.ToText(), actor, reason },
            transaction,
            cancellationToken: cancellationToken));

    /// <summary>Inserts the upload as created unless it exists; true when this call inserted it.</summary>
    protected async Task<bool> InsertCreatedAsync(
        DbConnection connection,
        DbTransaction transaction,
        string uploadId,
        long? length,
        string? reason,
        CancellationToken cancellationToken)
    {
        var now = Now();
        var inserted = await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO ledger_uploads (id, state, length, created_at, updated_at)
            VALUES (@uploadId, @state, @length, @now, @now)
            ON CONFLICT (id) DO NOTHING
            """,
            new { uploadId, state = UploadState.Created.ToText(), length, now },
            transaction,
            cancellationToken: cancellationToken));

        if (inserted == 0)
        {
            return false;
        }

        await AppendAuditAsync(
            connection,
            transaction,
            uploadId,
            null,
            UploadState.Created,
            LedgerActors.Server,
            reason,
            now,
            cancellationToken);
        LedgerLog.Transitioned(Logger, uploadId, null, UploadState.Created.ToText());
        return true;
    }
}
