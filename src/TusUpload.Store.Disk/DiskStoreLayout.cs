using TusUpload.Protocol.Storage;

namespace TusUpload.Store.Disk;

/// <summary>
/// Where the disk store keeps things: <c>&lt;root&gt;/&lt;id&gt;.data</c> and <c>&lt;id&gt;.info</c> per upload,
/// <c>&lt;root&gt;/blobs/ab/&lt;sha256&gt;</c> per blob. Every id is checked before it becomes part of a path.
/// </summary>
internal sealed class DiskStoreLayout
{
    public const string InfoSuffix = ".info";

    private const int MaxIdLength = 128;

    public DiskStoreLayout(string path)
    {
        Root = Path.GetFullPath(path);
        BlobRoot = Path.Combine(Root, "blobs");
    }

    public string Root { get; }

    public string BlobRoot { get; }

    public string DataPath(string uploadId) => Path.Combine(Root, uploadId + ".data");

    public string InfoPath(string uploadId) => Path.Combine(Root, uploadId + InfoSuffix);

    public string BlobFolder(string sha256) => Path.Combine(BlobRoot, sha256[..2]);

    public string BlobPath(string sha256) => Path.Combine(BlobFolder(sha256), sha256);

    /// <summary>Lower-case hex only: no separator, dot or other character can reach the file system.</summary>
    public static bool IsValidId(string? uploadId)
    {
        if (string.IsNullOrEmpty(uploadId) || uploadId.Length > MaxIdLength)
        {
            return false;
        }

        foreach (var c in uploadId)
        {
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f')))
            {
                return false;
            }
        }

        return true;
    }

    public static bool IsValidSha256(string? sha256) => sha256 is { Length: 64 } && IsValidId(sha256);

    public static void RequireValidId(string uploadId)
    {
        if (!IsValidId(uploadId))
        {
            throw new UploadStoreException(
                UploadStoreError.NotFound,
                "Upload ids are lower-case hex; this one cannot exist.");
        }
    }

    public static void RequireValidSha256(string sha256)
    {
        if (!IsValidSha256(sha256))
        {
            throw new ArgumentException("A blob key is 64 lower-case hex characters.", nameof(sha256));
        }
    }
}
