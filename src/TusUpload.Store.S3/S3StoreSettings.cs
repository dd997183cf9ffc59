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
}
