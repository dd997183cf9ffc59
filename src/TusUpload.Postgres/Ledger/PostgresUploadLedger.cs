using System.Data.Common;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using TusUpload.Pipeline.Ledger;

namespace TusUpload.Postgres.Ledger;

/// <summary>
/// The production ledger on PostgreSQL. Transitions lock the upload's row (<c>FOR UPDATE</c>) for their read, so two
/// servers or workers racing on one upload serialize on it; relays claim outbox rows with <c>FOR UPDATE SKIP
/// LOCKED</c> so that many can drain one outbox without publishing a row twice.
/// </summary>
public sealed class PostgresUploadLedger(
    NpgsqlDataSource dataSource,
    IOptions<LedgerOptions> options,
    TimeProvider time,
    ILogger<PostgresUploadLedger> logger) : SqlUploadLedger(time, logger)
{
    protected override string LockRowClause => " FOR UPDATE";

    protected override TimeSpan ClaimLease { get; } = options.Value.OutboxClaimLease;

    // Several instances may prune at once; each skips the rows another is deleting rather than queueing behind it.
    protected override string SkipLockedClause => " FOR UPDATE SKIP LOCKED";

    // Npgsql sends the ids as one bigint[] parameter.
    protected override string OutboxIdsCondition => "id = ANY(@outboxIds)";

    protected override string ClaimOutboxSql =>
        """
        UPDATE ledger_outbox o SET claimed_until = @until, claim_count = o.claim_count + 1
        FROM (
            SELECT id FROM ledger_outbox
            WHERE sent_at IS NULL AND (claimed_until IS NULL OR claimed_until < @now)
            ORDER BY id LIMIT @max
            FOR UPDATE SKIP LOCKED) claimed
        WHERE o.id = claimed.id
        RETURNING o.id AS Id, o.upload_id AS UploadId, o.event_type AS EventType, o.payload AS Payload,
                  o.created_at AS CreatedAt
        """;

    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await dataSource.OpenConnectionAsync(cancellationToken);

    protected override async Task<LedgerWriteScope> BeginWriteAsync(CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken);
            return new LedgerWriteScope(connection, transaction, null);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    protected override object ToDb(DateTimeOffset instant) => instant.ToUniversalTime();

    protected override DateTimeOffset FromDb(object value) => value switch
    {
        DateTimeOffset instant => instant,
        DateTime utc => new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)),
        _ => throw new InvalidCastException($"A ledger timestamp came back as {value.GetType().Name}."),
    };
}
