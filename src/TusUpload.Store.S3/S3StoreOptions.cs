namespace TusUpload.Store.S3;

/// <summary>Settings of the S3 (MinIO) chunk store (configuration section <c>Store:S3</c>).</summary>
public sealed class S3StoreOptions
{
    public const string SectionName = "Store:S3";

    /// <summary>S3 and MinIO reject a non-final multipart part smaller than this.</summary>
    public const long MinPartSize = 5L * 1024 * 1024;

    /// <summary>S3 and MinIO reject a part larger than this.</summary>
    public const long MaxPartSizeLimit = 5L * 1024 * 1024 * 1024;

    /// <summary>
    /// The largest part this store can write: a part is collected in memory, counted in <see cref="int"/>, so a
    /// larger one (S3 itself takes up to 5 GiB) failed every PATCH with an overflow.
    /// </summary>
    public const long MaxBufferedPartSize = int.MaxValue;

    /// <summary>The longest <see cref="RequestTimeout"/> the S3 client accepts (it refused more at start-up).</summary>
    public static readonly TimeSpan MaxRequestTimeout = TimeSpan.FromMilliseconds(int.MaxValue);

    /// <summary>The most SDK retries allowed per request: each waits longer than the last.</summary>
    public const int MaxRetriesLimit = 10;

    /// <summary>S3 allows at most this many parts in one multipart upload.</summary>
    public const int MaxPartsLimit = 10_000;

    /// <summary>Endpoint of the S3 service, e.g. <c>http://127.0.0.1:9000</c> for MinIO. No default.</summary>
    public string ServiceUrl { get; set; } = "";

    /// <summary>Bucket that holds uploads, their helper objects and blobs. Default <c>tusupload</c>.</summary>
    public string Bucket { get; set; } = "tusupload";

    /// <summary>Key prefix of every object the store writes, e.g. <c>uploads/</c>. Default empty.</summary>
    public string Prefix { get; set; } = "";

    /// <summary>Access key id. Required: the store never falls back to ambient (instance-metadata) keys.</summary>
    public string AccessKey { get; set; } = "";

    /// <summary>Secret access key. Required; never logged.</summary>
    public string SecretKey { get; set; } = "";

    /// <summary>Region used to sign requests. Default <c>us-east-1</c> (MinIO's default).</summary>
    public string Region { get; set; } = "us-east-1";

    /// <summary>
    /// Size of every non-final multipart part, at least 5 MiB. Default 0: the smallest whole MiB (at least 5 MiB)
    /// that fits <c>Tus:MaxSize</c> in <see cref="MaxParts"/> parts.
    /// </summary>
    public long PartSize { get; set; }

    /// <summary>Most parts one upload may have. Default 10,000 (the S3 limit).</summary>
    public int MaxParts { get; set; } = MaxPartsLimit;

    /// <summary>
    /// Part uploads running at once in this process, across all requests. Each holds one part-sized buffer.
    /// Default 8.
    /// </summary>
    public int MaxPartsInFlight { get; set; } = 8;

    /// <summary>
    /// Part uploads one request may have running while it keeps reading its body. A request holds at most this
    /// many part buffers plus the one it is filling. Default 2.
    /// </summary>
    public int MaxPartsInFlightPerRequest { get; set; } = 2;

    /// <summary>Optional <c>x-amz-server-side-encryption</c> value, e.g. <c>AES256</c> or <c>aws:kms</c>.</summary>
    public string? ServerSideEncryption { get; set; }

    /// <summary>Create the bucket at start-up when it is missing. Default false.</summary>
    public bool CreateBucket { get; set; }

    /// <summary>Timeout of one S3 request. Default 30 seconds.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Retries of a failed S3 request before the client gets a retryable 503. Default 2.</summary>
    public int MaxRetries { get; set; } = 2;

    /// <summary>
    /// How long the start-up check of the bucket may take, the SDK's retries included, before the process gives up
    /// with exit code 1. Default 30 seconds: room for the SDK to retry a refused or reset connection a few times,
    /// short of an orchestrator's patience.
    /// </summary>
    public TimeSpan StartupTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The part size in effect: <see cref="PartSize"/> or the size derived from the largest upload.</summary>
    public long EffectivePartSize(long? maxUploadSize)
    {
        if (PartSize > 0)
        {
            return PartSize;
        }

        // Rounded up without adding first: "max + MaxParts - 1" wrapped round for a Tus:MaxSize near the largest
        // long and derived 5 MiB parts, too small for what the server advertised.
        const long MiB = 1024 * 1024;
        var needed = maxUploadSize is > 0 and var max && MaxParts > 0 ? CeilingDivide(max, MaxParts) : 0;
        var mebibytes = CeilingDivide(needed, MiB);
        var roundedUp = mebibytes > long.MaxValue / MiB ? long.MaxValue : mebibytes * MiB;
        return Math.Max(MinPartSize, roundedUp);
    }

    private static long CeilingDivide(long value, long divisor) => (value / divisor) + (value % divisor == 0 ? 0 : 1);
}
