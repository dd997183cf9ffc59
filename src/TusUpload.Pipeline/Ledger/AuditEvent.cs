namespace TusUpload.Pipeline.Ledger;

/// <summary>
/// One row of the append-only audit trail: who (<c>Actor</c>) moved an upload from one state to another, when and
/// why; <c>From</c> is null when the upload was first recorded.
/// </summary>
public sealed record AuditEvent(
    long Id,
    string UploadId,
    DateTimeOffset At,
    UploadState? From,
    UploadState To,
    string Actor,
    string? Reason);
