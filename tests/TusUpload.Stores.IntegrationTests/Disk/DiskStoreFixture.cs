using Microsoft.Extensions.Logging.Abstractions;
using TusUpload.Protocol.Storage;
using TusUpload.Store.Disk;

namespace TusUpload.Stores.IntegrationTests.Disk;

/// <summary>A disk store in a fresh temporary folder, with a small checkpoint size so tests stay quick.</summary>
public sealed class DiskStoreFixture : IUploadStoreFixture, IDisposable
{
    public DiskStoreFixture()
    {
        Options = new DiskStoreOptions
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"tusupload-store-tests-{Guid.NewGuid():N}"),
            CheckpointBytes = 256 * 1024,
        };
        DiskStore = CreateStore(Options);
        Blobs = new DiskBlobStore(
            DiskStore,
            Microsoft.Extensions.Options.Options.Create(Options),
            NullLogger<DiskBlobStore>.Instance);
    }

    public DiskStoreOptions Options { get; }

    public DiskUploadStore DiskStore { get; }

    public IUploadStore Store => DiskStore;

    public IBlobStore Blobs { get; }

    public long CheckpointBytes => Options.CheckpointBytes;

    public string Root => DiskStore.RootPath;

    public IUploadStore OpenAnotherInstance() => CreateStore(Options);

    public static DiskUploadStore CreateStore(DiskStoreOptions options) =>
        new(Microsoft.Extensions.Options.Options.Create(options), NullLogger<DiskUploadStore>.Instance);

    public void Dispose()
    {
        if (Directory.Exists(Options.Path))
        {
            Directory.Delete(Options.Path, recursive: true);
        }
    }
}
