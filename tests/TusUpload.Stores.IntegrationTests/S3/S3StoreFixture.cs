using System.Diagnostics.Metrics;
using Amazon.S3;
using Microsoft.Extensions.Logging.Abstractions;
using TusUpload.Protocol.Storage;
using TusUpload.Store.S3;

namespace TusUpload.Stores.IntegrationTests.S3;

/// <summary>
/// An S3 store on its own fresh bucket of the test S3 server, with the smallest legal part size (5 MiB) so
/// that parts, incomplete parts and completion all happen with small test objects.
/// </summary>
public class S3StoreFixture : IUploadStoreFixture, IAsyncLifetime
{
    public const long PartSize = S3StoreOptions.MinPartSize;

    public S3StoreFixture()
        : this(maxParts: S3StoreOptions.MaxPartsLimit)
    {
    }

    /// <summary>A store whose S3 metrics go to <paramref name="meterFactory"/> (none without one).</summary>
    protected S3StoreFixture(int maxParts, IMeterFactory? meterFactory = null)
    {
        Options = new S3StoreOptions
        {
            ServiceUrl = S3TestEnvironment.ServiceUrl,
            Bucket = $"tus-tests-{Guid.NewGuid():N}",
            Prefix = "uploads/",
            AccessKey = "test",
            SecretKey = "test",
            PartSize = PartSize,
            MaxParts = maxParts,
            MaxRetries = 0,
            RequestTimeout = TimeSpan.FromSeconds(20),
        };
        var metrics = new S3Metrics(meterFactory);
        Client = S3StoreRegistration.CreateClient(Options, metrics);
        Bucket = new S3Bucket(Client, new S3StoreSettings(Options, maxUploadSize: null), metrics);
        S3Store = new S3UploadStore(Bucket, NullLogger<S3UploadStore>.Instance);
        Blobs = new S3BlobStore(Bucket, NullLogger<S3BlobStore>.Instance);
    }

    public S3StoreOptions Options { get; }

    public IAmazonS3 Client { get; }

    public S3Bucket Bucket { get; }

    public S3UploadStore S3Store { get; }

    public IUploadStore Store => S3Store;

    public IBlobStore Blobs { get; }

    public long CheckpointBytes => PartSize;

    /// <summary>Another instance: its own client and settings, sharing only the bucket.</summary>
    public IUploadStore OpenAnotherInstance()
    {
        var client = S3StoreRegistration.CreateClient(Options);
        return new S3UploadStore(
            new S3Bucket(client, new S3StoreSettings(Options, null)), NullLogger<S3UploadStore>.Instance);
    }

    public async Task InitializeAsync()
    {
        await Client.PutBucketAsync(Options.Bucket).WaitAsync(TestData.Timeout);
    }

    public async Task DisposeAsync()
    {
        // moto keeps everything in memory: free the bucket's objects so later tests have room.
        var keys = new List<string>();
        await foreach (var key in Bucket.ListKeysAsync("", CancellationToken.None))
        {
            keys.Add(key);
        }

        foreach (var key in keys)
        {
            await Client.DeleteObjectAsync(Options.Bucket, key).WaitAsync(TestData.Timeout);
        }

        Client.Dispose();
    }
}
