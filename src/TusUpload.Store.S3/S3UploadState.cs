using System.Text.Json.Serialization;
using TusUpload.Protocol.Storage;

namespace TusUpload.Store.S3;

/// <summary>
/// Everything the store knows about one upload, kept as the JSON "info" object beside it. This object is the
/// single source of truth: the offset is computed from the parts and the incomplete part it records, so a
/// part or helper object that was written but never recorded (a crash in between) counts for nothing.
/// </summary>
public sealed class S3UploadState
{
    public required string Id { get; init; }

    public long? Length { get; set; }

    /// <summary>Counts the writes of this info object, so that of two copies the newer one can be told.</summary>
    public long Revision { get; set; }

    public string? Metadata { get; init; }

    public UploadConcatKind ConcatKind { get; init; }

    public List<string> PartialIds { get; init; } = [];

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }

    public bool CompletionRecorded { get; set; }

    /// <summary>Part size fixed at creation, so a configuration change never mixes sizes within one upload.</summary>
    public long PartSize { get; init; }

    /// <summary>Most parts this upload may have, fixed at creation.</summary>
    public int MaxParts { get; init; }

    /// <summary>The S3 multipart upload that collects the parts; null once completed.</summary>
    public string? MultipartUploadId { get; set; }

    public List<S3Part> Parts { get; set; } = [];

    /// <summary>Key of the object holding the bytes after the last part (fewer than a part); null when none.</summary>
    public string? IncompleteKey { get; set; }

    public long IncompleteSize { get; set; }

    /// <summary>True once CompleteMultipartUpload (or a copy) produced the upload's object.</summary>
    public bool Assembled { get; set; }

    /// <summary>
    /// SHA-256 (lower-case hex) of the content when it was stored whole by one PutObject from bytes in hand;
    /// null for multipart uploads, whose bytes were never all in memory at once.
    /// </summary>
    public string? ContentSha256 { get; set; }

    /// <summary>
    /// ETag of the info object this state was read from or last written as (not stored in it). Every update is
    /// conditional on it (If-Match), so a writer whose lock was taken over while it was cut off cannot write its
    /// older state over the new holder's.
    /// </summary>
    [JsonIgnore]
    public string? ETag { get; set; }

    public long CommittedPartBytes
    {
        get
        {
            long total = 0;
            foreach (var part in Parts)
            {
                total += part.Size;
            }

            return total;
        }
    }

    public long Offset => CommittedPartBytes + IncompleteSize;

    public long MaxBytes => PartSize * MaxParts;

    public UploadInfo ToUploadInfo() => new()
    {
        Id = Id,
        Length = Length,
        Offset = Offset,
        Metadata = Metadata,
        Concat = ConcatKind switch
        {
            UploadConcatKind.Partial => UploadConcat.Partial,
            UploadConcatKind.Final => UploadConcat.Final(PartialIds),
            _ => UploadConcat.None,
        },
        CreatedAt = CreatedAt,
        ExpiresAt = ExpiresAt,
        CompletionRecorded = CompletionRecorded,
        ContentSha256 = ContentSha256,
    };
}
