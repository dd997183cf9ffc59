namespace TusUpload.Protocol.Lifecycle;

/// <summary>Where a complete upload stands downstream of the protocol.</summary>
/// <param name="State">Ledger state name, e.g. <c>received</c>, <c>available</c>, <c>quarantined</c>.</param>
/// <param name="Downloadable">True only when the content may be served.</param>
/// <param name="ContentSha256">Lower-case hex SHA-256 of the content once known; gives a strong ETag.</param>
public sealed record UploadProcessingStatus(string State, bool Downloadable, string? ContentSha256);
