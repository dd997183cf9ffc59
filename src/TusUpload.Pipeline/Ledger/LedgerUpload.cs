namespace TusUpload.Pipeline.Ledger;

/// <summary>One upload's row in the ledger.</summary>
public sealed record LedgerUpload(
    string UploadId,
    UploadState State,
    long? Length,
    string? Sha256,
    string? Verdict,
    string? FailureReason,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);
