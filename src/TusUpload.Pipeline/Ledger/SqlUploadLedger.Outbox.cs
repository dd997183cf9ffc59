using Dapper;

namespace TusUpload.Pipeline.Ledger;

/// <summary>
/// The outbox side: claim with a lease, mark sent after the broker's confirm, count the backlog, prune sent rows.
/// </summary>
public abstract partial class SqlUploadLedger
{
    /// <summary>How long claimed rows belong to the claiming relay before another may take them.</summary>
    protected abstract TimeSpan ClaimLease { get; }

    /// <summary>
    /// Claims up to <c>@max</c> rows with
    /// <c>sent_at IS NULL AND (claimed_until IS NULL OR claimed_until &lt; @now)</c>,
    /// sets <c>claimed_until = @until</c> and returns <c>id, upload_id, event_type, payload, created_at</c> by id.
    /// </summary>
    protected abstract string ClaimOutboxSql { get; }

    /// <summary>
    /// Appended to the row choice of a prune, e.g. <c> FOR UPDATE SKIP LOCKED</c>, so that instances pruning one
    /// database together take different rows instead of waiting for each other's.
    /// </summary>
    protected abstract string SkipLockedClause { get; }

    /// <summary>
    /// Matches <c>id</c> against the array parameter <c>@outboxIds</c> (list expansion or <c>= ANY</c>).
    /// </summary>
    protected abstract string OutboxIdsCondition { get; }

    public Task<IReadOnlyList<OutboxMessage>> ClaimOutboxAsync(int max, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);

        return WriteAsync<IReadOnlyList<OutboxMessage>>(
            async (connection, transaction, cancellationToken) =>
            {
                var now = Time.GetUtcNow();
                var rows = await connection.QueryAsync<OutboxRow>(new CommandDefinition(
                    ClaimOutboxSql,
                    new { max, now = ToDb(now), until = ToDb(now + ClaimLease) },
                    transaction,
                    cancellationToken: cancellationToken));

                return rows
                    .OrderBy(row => row.Id)
                    .Select(row => new OutboxMessage(
                        row.Id,
                        row.UploadId,
                        row.EventType,
                        row.Payload,
                        FromDb(row.CreatedAt)))
                    .ToList();
            },
            cancellationToken);
    }

    public async Task MarkOutboxSentAsync(IReadOnlyList<long> outboxIds, CancellationToken cancellationToken)
    {
        if (outboxIds.Count == 0)
        {
            return;
        }

        await WriteAsync(
            (connection, transaction, cancellationToken) => connection.ExecuteAsync(new CommandDefinition(
                $"UPDATE ledger_outbox SET sent_at = @now WHERE {OutboxIdsCondition} AND sent_at IS NULL",
                new { outboxIds = outboxIds.ToArray(), now = Now() },
                transaction,
                cancellationToken: cancellationToken)),
            cancellationToken);
    }

    public async Task ReleaseOutboxClaimAsync(IReadOnlyList<long> outboxIds, CancellationToken cancellationToken)
    {
        if (outboxIds.Count == 0)
        {
            return;
        }

        await WriteAsync(
            (connection, transaction, cancellationToken) => connection.ExecuteAsync(new CommandDefinition(
                $"UPDATE ledger_outbox SET claimed_until = NULL WHERE {OutboxIdsCondition} AND sent_at IS NULL",
                new { outboxIds = outboxIds.ToArray() },
                transaction,
                cancellationToken: cancellationToken)),
            cancellationToken);
    }

    public async Task<long> CountUnsentOutboxAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);

        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM ledger_outbox WHERE sent_at IS NULL",
            cancellationToken: cancellationToken));
    }

    public async Task<long> PruneSentOutboxAsync(
        DateTimeOffset sentBefore,
        int batchSize,
        CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);

        // Oldest first through the partial index on sent_at, one bounded transaction per batch: SQLite's single
        // writer (and on PostgreSQL the rows' locks) are held for one batch at a time, never for the whole backlog.
        var sql = $"""
            DELETE FROM ledger_outbox WHERE id IN (
                SELECT id FROM ledger_outbox
                WHERE sent_at IS NOT NULL AND sent_at < @sentBefore
                ORDER BY sent_at LIMIT @batchSize{SkipLockedClause})
            """;
        var cutoff = ToDb(sentBefore);

        long pruned = 0;
        int deleted;
        do
        {
            deleted = await WriteAsync(
                (connection, transaction, cancellationToken) => connection.ExecuteAsync(new CommandDefinition(
                    sql,
                    new { sentBefore = cutoff, batchSize },
                    transaction,
                    cancellationToken: cancellationToken)),
                cancellationToken);
            pruned += deleted;
        }
        while (deleted == batchSize);

        return pruned;
    }

    /// <summary>Dapper target for an outbox row; the timestamp's type depends on the database.</summary>
    private sealed class OutboxRow
    {
        public long Id { get; init; }

        public string UploadId { get; init; } = "";

        public string EventType { get; init; } = "";

        public string Payload { get; init; } = "";

        public object CreatedAt { get; init; } = 0L;
    }
}
