namespace TusUpload.Protocol;

/// <summary>Settings of the tus endpoint (configuration section <c>Tus</c>).</summary>
public sealed class TusOptions
{
    public const string SectionName = "Tus";

    /// <summary>Path the tus endpoint answers on; starts and ends with <c>/</c>. Default <c>/files/</c>.</summary>
    public string BasePath { get; set; } = "/files/";

    /// <summary>Largest upload in bytes; 0 means no limit (and no <c>Tus-Max-Size</c>). Default 10 GiB.</summary>
    public long MaxSize { get; set; } = 10L * 1024 * 1024 * 1024;

    /// <summary>How long an unfinished upload lives; zero turns expiration off. Default 24 hours.</summary>
    public TimeSpan Expiry { get; set; } = TimeSpan.FromHours(24);

    /// <summary>A body read that sees no byte for this long ends the request. Default 60 seconds.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a PATCH or DELETE waits for the current writer to hand over. Default 5 seconds.</summary>
    public TimeSpan LockTakeoverTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Origins that get CORS headers; <c>*</c> allows any. Default empty (no CORS).</summary>
    public string[] AllowedOrigins { get; set; } = [];

    /// <summary>
    /// Proxies whose X-Forwarded-Proto/Host are honoured: IP addresses or CIDR networks (e.g. <c>10.0.0.0/8</c>).
    /// Default none.
    /// </summary>
    public string[] TrustedProxies { get; set; } = [];

    /// <summary>Longest accepted <c>Upload-Metadata</c> header in bytes. Default 4 KiB.</summary>
    public int MaxMetadataBytes { get; set; } = 4 * 1024;

    /// <summary>Bytes asked of the body reader at a time when streaming a chunk. Default 64 KiB.</summary>
    public int ReadBufferSize { get; set; } = 64 * 1024;

    /// <summary>How often expired uploads are removed and unrecorded completions retried. Default 5 minutes.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Most partials one final may list; more URLs outgrow proxies' header limits. Default 100.</summary>
    public int MaxConcatParts { get; set; } = 100;

    /// <summary>
    /// How many times as long as its distinct partials together a final may be (a partial may be listed more than
    /// once, and each listing copies its bytes again). Default 4.
    /// </summary>
    public int MaxConcatCopies { get; set; } = 4;

    /// <summary>Upper bound for saving a chunk and recording completion once the body ended. Default 30 s.</summary>
    public TimeSpan CommitTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary><c>Retry-After</c> seconds on a 409 for an upload still being processed. Default 5.</summary>
    public int DownloadRetryAfterSeconds { get; set; } = 5;

    public bool ExpirationEnabled => Expiry > TimeSpan.Zero;
}
