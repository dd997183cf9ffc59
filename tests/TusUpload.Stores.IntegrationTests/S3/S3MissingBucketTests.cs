using Amazon.S3;
using Amazon.S3.Model;
using S3Bucket = TusUpload.Store.S3.S3Bucket;
using Microsoft.Extensions.Logging.Abstractions;
using TusUpload.Protocol.Storage;
using TusUpload.Store.S3;

namespace TusUpload.Stores.IntegrationTests.S3;

/// <summary>
/// A missing bucket (a wrong name, or one deleted under the store) is unavailable storage, never a missing upload:
/// nothing reads as gone, so nothing above the store records the end of an upload it merely cannot see, and the
/// uploads are all there again once the bucket is back. Each test has a bucket of its own, which it deletes.
/// </summary>
public sealed class S3MissingBucketTests : IAsyncLifetime
{
    private readonly S3StoreOptions _options = new()
    {
        ServiceUrl = S3TestEnvironment.ServiceUrl,
        Bucket = $"tus-tests-gone-{Guid.NewGuid():N}",
        Prefix = "uploads/",
        AccessKey = "test",
        SecretKey = "test",
        PartSize = S3StoreFixture.PartSize,
        MaxRetries = 0,
        RequestTimeout = TimeSpan.FromSeconds(20),
    };

    private readonly IAmazonS3 _client;
    private readonly S3Bucket _bucket;
    private readonly S3UploadStore _store;
    private readonly S3BlobStore _blobs;

    public S3MissingBucketTests()
    {
        _client = S3StoreRegistration.CreateClient(_options);
        _bucket = new S3Bucket(_client, new S3StoreSettings(_options, maxUploadSize: null));
        _store = new S3UploadStore(_bucket, NullLogger<S3UploadStore>.Instance);
        _blobs = new S3BlobStore(_bucket, NullLogger<S3BlobStore>.Instance);
    }

    [Fact]
    public async Task A_bucket_that_does_not_exist_is_unavailable_storage_for_every_call()
    {
        var uploadId = TestData.NewId();
        var sha256 = TestData.Sha256([1, 2, 3]);

        var failures = new[]
        {
            await FailureAsync(() => _store.GetAsync(uploadId, CancellationToken.None)),
            await FailureAsync(() => _store.DeleteAsync(uploadId, CancellationToken.None)),
            await FailureAsync(() => _store.CreateAsync(TestData.Upload(10), CancellationToken.None)),
            await FailureAsync(ListAllAsync),
            await FailureAsync(() => _blobs.ExistsAsync(sha256, CancellationToken.None)),
            await FailureAsync(() => _blobs.ReleaseUploadDataAsync(uploadId, CancellationToken.None)),
            await FailureAsync(() => _blobs.DeleteAsync(sha256, CancellationToken.None)),
        };

        Assert.False(await _bucket.BucketExistsAsync(CancellationToken.None).WaitAsync(TestData.Timeout));
        Assert.All(failures, AssertMissingBucket);
    }

    [Fact]
    public async Task A_bucket_deleted_under_the_store_answers_unavailable_and_its_uploads_come_back_with_it()
    {
        await _client.PutBucketAsync(_options.Bucket).WaitAsync(TestData.Timeout);
        var upload = await S3Chunks.CreateAsync(_store, 3000);
        await S3Chunks.WriteAsync(_store, upload, TestData.Bytes(1000, seed: 7));
        var saved = await EmptyAndDeleteBucketAsync();

        var failures = new[]
        {
            await FailureAsync(() => _store.GetAsync(upload.Id, CancellationToken.None)),
            await FailureAsync(() => _store.DeleteAsync(upload.Id, CancellationToken.None)),
            await FailureAsync(ListAllAsync),

            // A HEAD's 404 has no body: only asking for the bucket tells a missing bucket from a missing blob.
            await FailureAsync(() => _blobs.ExistsAsync(TestData.Sha256([4]), CancellationToken.None)),
        };
        await RestoreBucketAsync(saved);
        var restored = await S3Chunks.GetAsync(_store, upload.Id);

        Assert.All(failures, AssertMissingBucket);
        Assert.Equal(1000, restored.Offset);
        Assert.Null(await _store.GetAsync(TestData.NewId(), CancellationToken.None).WaitAsync(TestData.Timeout));
        Assert.False(await _blobs.ExistsAsync(TestData.Sha256([4]), CancellationToken.None)
            .WaitAsync(TestData.Timeout));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (await _bucket.BucketExistsAsync(CancellationToken.None).WaitAsync(TestData.Timeout))
        {
            await EmptyAndDeleteBucketAsync();
        }

        _client.Dispose();
    }

    private static void AssertMissingBucket(UploadStoreException failure)
    {
        Assert.Equal(UploadStoreError.Unavailable, failure.Error);
        Assert.Equal("Storage is unavailable: its S3 bucket does not exist; retry later.", failure.ClientReason);
        Assert.Contains("does not exist", failure.Message, StringComparison.Ordinal);
    }

    private static async Task<UploadStoreException> FailureAsync(Func<Task> call) =>
        await Assert.ThrowsAsync<UploadStoreException>(() => call().WaitAsync(TestData.Timeout));

    private async Task ListAllAsync()
    {
        await foreach (var _ in _store.ListAsync(CancellationToken.None))
        {
        }
    }

    /// <summary>Deletes every object and then the bucket, returning the objects to put back.</summary>
    private async Task<Dictionary<string, byte[]>> EmptyAndDeleteBucketAsync()
    {
        var saved = new Dictionary<string, byte[]>();
        var listing = await _client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = _options.Bucket })
            .WaitAsync(TestData.Timeout);
        foreach (var item in listing.S3Objects ?? [])
        {
            using var response = await _client.GetObjectAsync(_options.Bucket, item.Key).WaitAsync(TestData.Timeout);
            saved[item.Key] = await TestData.ReadAllAsync(response.ResponseStream);
            await _client.DeleteObjectAsync(_options.Bucket, item.Key).WaitAsync(TestData.Timeout);
        }

        await _client.DeleteBucketAsync(_options.Bucket).WaitAsync(TestData.Timeout);
        return saved;
    }

    private async Task RestoreBucketAsync(Dictionary<string, byte[]> saved)
    {
        await _client.PutBucketAsync(_options.Bucket).WaitAsync(TestData.Timeout);
        foreach (var (key, bytes) in saved)
        {
            await _client.PutObjectAsync(new PutObjectRequest
            {
                BucketName = _options.Bucket,
                Key = key,
                InputStream = new MemoryStream(bytes),
                UseChunkEncoding = false,
            }).WaitAsync(TestData.Timeout);
        }
    }
}
