using TusUpload.Protocol.Storage;

namespace TusUpload.Store.Disk;

/// <summary>The JSON shape of an info file, kept apart from <see cref="UploadInfo"/> so the format is ours.</summary>
internal sealed record UploadInfoDocument
{
    public int Version { get; init; } = 1;

    public required string Id { get; init; }

    public long? Length { get; init; }

    public long Offset { get; init; }

    public string? Metadata { get; init; }

    public UploadConcatKind ConcatKind { get; init; }

    public IReadOnlyList<string>? PartialIds { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }

    public bool CompletionRecorded { get; init; }

    public static UploadInfoDocument From(UploadInfo upload) => new()
    {
        Id = upload.Id,
        Length = upload.Length,
        Offset = upload.Offset,
        Metadata = upload.Metadata,
        ConcatKind = upload.Concat.Kind,
        PartialIds = upload.Concat.Kind == UploadConcatKind.Final ? upload.Concat.PartialIds : null,
        CreatedAt = upload.CreatedAt,
        ExpiresAt = upload.ExpiresAt,
        CompletionRecorded = upload.CompletionRecorded,
    };

    public UploadInfo ToUploadInfo() => new()
    {
        Id = Id,
        Length = Length,
        Offset = Offset,
        Metadata = Metadata,
        Concat = ConcatKind switch
        {
            UploadConcatKind.Partial => UploadConcat.Partial,
            UploadConcatKind.Final => UploadConcat.Final(PartialIds ?? []),
            _ => UploadConcat.None,
        },
        CreatedAt = CreatedAt,
        ExpiresAt = ExpiresAt,
        CompletionRecorded = CompletionRecorded,
    };
}
