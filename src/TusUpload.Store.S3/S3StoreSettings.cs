namespace TusUpload.Store.S3;

/// <summary>The resolved, validated settings the store works with (part size derived, slots created).</summary>
public sealed class S3StoreSettings
{
    public S3StoreSettings(S3StoreOptions options, long? maxUploadSize)
    {
        ArgumentNullException.ThrowIfNull(options);
        Bucket = options.Bucket;
        Keys = new S3Keys(options.Prefix);
        PartSize = options.EffectivePartSize(maxUploadSize);
        MaxParts = options.MaxParts;
        MaxPartsInFlightPerRequest = options.MaxPartsInFlightPerRequest;
        ServerSideEncryption = string.IsNullOrWhiteSpace(options.ServerSideEncryption)
            ? null
            : options.ServerSideEncryption;
        PartSlots = new SemaphoreSlim(options.MaxPartsInFlight, options.MaxPartsInFlight);
        CreateBucket = options.CreateBucket;
        DiscardGrace = GraceFor(options.RequestTimeout, options.MaxRetries);
    }

    public bool CreateBucket { get; }

    public string Bucket { get; }

    public S3Keys Keys { get; }

    public long PartSize { get; }

    public int MaxParts { get; }

    public int MaxPartsInFlightPerRequest { get; }

    public string? ServerSideEncryption { get; }

    /// <summary>Process-wide limit on part uploads (and so on part buffers handed to S3) at once.</summary>
    public SemaphoreSlim PartSlots { get; }

    /// <summary>How long a discarded chunk's parts in flight may take to finish before they are cancelled.</summary>
    public TimeSpan DiscardGrace { get; }

    /// <summary>
    /// As long as the S3 client itself may still be sending a part: every attempt for up to the request timeout, and
    /// before each retry a back-off of up to 20 s (the cap of the SDK's standard retry mode). A part cancelled sooner
    /// can still land after the lock is released and overwrite the part the next writer sends under the same number;
    /// the store then sets the upload back (see S3UploadStore.Rewind), which costs the client a resend. Waiting only
    /// happens on the rare discard of a chunk with parts still in flight, never on the normal path. Known
    /// shortcoming: an attempt the client timed out can still be held in the network and land later; no grace
    /// covers that.
    /// </summary>
    private static TimeSpan GraceFor(TimeSpan requestTimeout, int maxRetries)
    {
        var attempts = (maxRetries + 1) * requestTimeout.TotalMilliseconds;
        var backOff = maxRetries * TimeSpan.FromSeconds(20).TotalMilliseconds;
        return TimeSpan.FromMilliseconds(Math.Min(attempts + backOff, int.MaxValue));
    }
}
