namespace TusUpload.Pipeline.Status;

/// <summary>The JSON body of <c>GET /uploads/{id}/status</c>.</summary>
public sealed record UploadStatusResponse(
    string Id,
    string State,
    long? Length,
    string? Sha256,
    string? Verdict,
    string? FailureReason,
    bool Downloadable,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);
