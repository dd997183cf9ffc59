namespace TusUpload.Store.S3;

/// <summary>
/// Object layout under the configured prefix: <c>{id}</c> is the upload's content, <c>{id}.info</c> its state,
/// <c>{id}.part.{random}</c> the incomplete part (a fresh key each time, so an unrecorded write never changes the
/// recorded one), and <c>blobs/{sha256}</c> the content-addressed blobs.
/// </summary>
public sealed class S3Keys(string prefix)
{
    public const string InfoSuffix = ".info";

    public string Prefix { get; } = prefix;

    public string Content(string uploadId) => Prefix + uploadId;

    public string Info(string uploadId) => Prefix + uploadId + InfoSuffix;

    public string NewIncompletePart(string uploadId) => $"{Prefix}{uploadId}.part.{Guid.NewGuid():N}";

    public string IncompletePartPrefix(string uploadId) => Prefix + uploadId + ".part.";

    public string Blob(string sha256) => Prefix + "blobs/" + sha256;

    /// <summary>Returns the upload id of an info key, or null for any other key.</summary>
    public string? UploadIdOfInfo(string key)
    {
        if (!key.StartsWith(Prefix, StringComparison.Ordinal) || !key.EndsWith(InfoSuffix, StringComparison.Ordinal))
        {
            return null;
        }

        var id = key[Prefix.Length..^InfoSuffix.Length];
        return id.Contains('/', StringComparison.Ordinal) ? null : id;
    }
}
