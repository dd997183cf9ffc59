namespace TusUpload.Protocol.Storage;

/// <summary>How an upload takes part in concatenation; a final upload lists its partial ids in order.</summary>
public sealed record UploadConcat(UploadConcatKind Kind, IReadOnlyList<string> PartialIds)
{
    public static UploadConcat None { get; } = new(UploadConcatKind.None, []);

    public static UploadConcat Partial { get; } = new(UploadConcatKind.Partial, []);

    public static UploadConcat Final(IReadOnlyList<string> partialIds) => new(UploadConcatKind.Final, partialIds);
}
