namespace TusUpload.Store.Disk;

/// <summary>Settings of the embedded disk store (configuration section <c>Store:Disk</c>).</summary>
public sealed class DiskStoreOptions
{
    public const string SectionName = "Store:Disk";

    /// <summary>Smallest accepted <see cref="CheckpointBytes"/>: below it fsync cost dominates every write.</summary>
    public const long MinCheckpointBytes = 64 * 1024;

    /// <summary>Folder that holds uploads and blobs; relative paths start at the working directory.
    /// Default <c>./data/uploads</c>.</summary>
    public string Path { get; set; } = "./data/uploads";

    /// <summary>
    /// Bytes received between two durable checkpoints of a chunk without a checksum. A <c>kill -9</c> loses the
    /// unacknowledged bytes of a running PATCH since its last finished checkpoint: up to about twice this, as the
    /// body goes on while a checkpoint runs. Default 16 MiB.
    /// </summary>
    public long CheckpointBytes { get; set; } = 16 * 1024 * 1024;
}
