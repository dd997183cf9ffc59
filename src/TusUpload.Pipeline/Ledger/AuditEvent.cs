namespace TusUpload.Pipeline.Ledger;

/// <summary>One row of the append-only audit trail: who moved an upload from one state to another, when and why.</summary>
/// <param name="From">State before the change; null when the row was first recorded.</param>
public sealed record AuditEvent(
    long Id,
    string UploadId,
    DateTimeOffset At,
    UploadState? From,
    UploadState To,
    string Actor,
    string? Reason);
