using Dapper;

namespace TusUpload.Pipeline.Ledger;

/// <summary>Reads: an upload, a blob's reference count, an upload's audit trail.</summary>
public abstract partial class SqlUploadLedger
{
    public async Task<LedgerUpload?> GetAsync(string uploadId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);

        var row = await connection.QuerySingleOrDefaultAsync<UploadRow>(new CommandDefinition(
            """
            SELECT id AS Id, state AS State, length AS Length, sha256 AS Sha256, verdict AS Verdict,
                   failure_reason AS FailureReason, created_at AS CreatedAt, updated_at AS UpdatedAt
            FROM ledger_uploads WHERE id = @uploadId
            """,
            new { uploadId },
            cancellationToken: cancellationToken));

        return row is null
            ? null
            : new LedgerUpload(
                row.Id,
                UploadStates.Parse(row.State),
                row.Length,
                row.Sha256,
                row.Verdict,
                row.FailureReason,
                FromDb(row.CreatedAt),
                FromDb(row.UpdatedAt));
    }

    public async Task<long?> GetBlobReferenceCountAsync(string sha256, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);

        return await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(
            "SELECT reference_count FROM ledger_blobs WHERE sha256 = @sha256",
            new { sha256 },
            cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<AuditEvent>> GetAuditTrailAsync(
        string uploadId,
        CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);

        var rows = await connection.QueryAsync<AuditRow>(new CommandDefinition(
            """
            SELECT id AS Id, upload_id AS UploadId, at AS At, from_state AS FromState, to_state AS ToState,
                   actor AS Actor, reason AS Reason
            FROM ledger_audit WHERE upload_id = @uploadId ORDER BY id
            """,
            new { uploadId },
            cancellationToken: cancellationToken));

        return rows
            .Select(row => new AuditEvent(
                row.Id,
                row.UploadId,
                FromDb(row.At),
                row.FromState is null ? null : UploadStates.Parse(row.FromState),
                UploadStates.Parse(row.ToState),
                row.Actor,
                row.Reason))
            .ToList();
    }

    private sealed class UploadRow
    {
        public string Id { get; init; } = "";

        public string State { get; init; } = "";

        public long? Length { get; init; }

        public string? Sha256 { get; init; }

        public string? Verdict { get; init; }

        public string? FailureReason { get; init; }

        public object CreatedAt { get; init; } = 0L;

        public object UpdatedAt { get; init; } = 0L;
    }

    private sealed class AuditRow
    {
        public long Id { get; init; }

        public string UploadId { get; init; } = "";

        public object At { get; init; } = 0L;

        public string? FromState { get; init; }

        public string ToState { get; init; } = "";

        public string Actor { get; init; } = "";

        public string? Reason { get; init; }
    }
}
