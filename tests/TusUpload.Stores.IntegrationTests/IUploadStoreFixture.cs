using TusUpload.Protocol.Storage;

namespace TusUpload.Stores.IntegrationTests;

/// <summary>What the store contract needs from a store under test; one fixture per store kind.</summary>
public interface IUploadStoreFixture
{
    IUploadStore Store { get; }

    IBlobStore Blobs { get; }

    /// <summary>
    /// Bytes after which a chunk without all-or-nothing is durable even if its writer never commits
    /// (the disk store's checkpoint size, the S3 store's part size).
    /// </summary>
    long CheckpointBytes { get; }

    /// <summary>A second store over the same backing state, as another server instance would see it.</summary>
    IUploadStore OpenAnotherInstance();
}
