using Dapper;

namespace TusUpload.Pipeline.Ledger;

/// <summary>The outbox side: claim with a lease, mark sent after the broker's confirm, count the backlog.</summary>
public abstract partial class SqlUploadLedger
{
    /// <summary>How long claimed rows belong to the claiming relay before another may take them.</summary>
    protected abstract TimeSpan ClaimLease { get; }

    /// <summary>
    /// Claims up to <c>@max</c> rows with <c>sent_at IS NULL AND (claimed_until IS NULL OR claimed_until &lt; @now)</c>,
    /// sets <c>claimed_until = @until</c> and returns <c>id, upload_id, event_type, payload, created_at</c> by id.
    /// </summary>
    protected abstract string ClaimOutboxSql { get; }

    /// <summary>Matches <c>id</c> against the array parameter <c>@outboxIds</c> (list expansion or <c>= ANY</c>).</summary>
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
