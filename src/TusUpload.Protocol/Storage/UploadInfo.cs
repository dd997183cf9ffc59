namespace TusUpload.Protocol.Storage;

/// <summary>The durable tus-level state of one upload, as a store persists it.</summary>
public sealed record UploadInfo
{
    public required string Id { get; init; }

    /// <summary>Declared length in bytes; null while the length is deferred.</summary>
    public long? Length { get; init; }

    /// <summary>Bytes durably stored. Never counts a byte that a crash could lose.</summary>
    public long Offset { get; init; }

    /// <summary>The validated <c>Upload-Metadata</c> header exactly as the client sent it, or null.</summary>
    public string? Metadata { get; init; }

    public UploadConcat Concat { get; init; } = UploadConcat.None;

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When an unfinished upload may be swept; null when expiry is off.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>True once the completion notification was durably accepted by the lifecycle sink.</summary>
    public bool CompletionRecorded { get; init; }

    /// <summary>
    /// Lower-case hex SHA-256 of the whole content when the store computed it from the bytes it stored (it had
    /// every byte in hand at once); null when unknown. A consumer that needs only the hash may skip reading back.
    /// </summary>
    public string? ContentSha256 { get; init; }

    public bool IsComplete => Length is { } length && Offset == length;

    /// <summary>
    /// Past its expiry and still subject to it: an unfinished upload, or a partial complete or not (only its final
    /// is kept). Every handler and the sweeper ask this, so an upload is expired for all of them at the same moment.
    /// </summary>
    public bool IsExpired(DateTimeOffset now) =>
        (!IsComplete || Concat.Kind == UploadConcatKind.Partial) && ExpiresAt is { } expires && expires <= now;
}
