using Amazon.S3.Model;
using TusUpload.Protocol.Storage;

namespace TusUpload.Stores.IntegrationTests.S3;

/// <summary>
/// An info object that is not the store's JSON is damaged storage, as on disk: reading the upload says so, the
/// listing skips it, and a deletion still removes every object of the upload.
/// </summary>
public sealed class S3DamagedInfoTests(S3StoreFixture fixture) : IClassFixture<S3StoreFixture>
{
    [Fact]
    public async Task A_damaged_info_object_reads_as_damaged_is_skipped_by_listing_and_can_still_be_deleted()
    {
        var bytes = TestData.Bytes(3000, seed: 41);
        var upload = await S3Chunks.CreateAsync(fixture.Store, bytes.Length);
        await S3Chunks.WriteAsync(fixture.Store, upload, bytes);
        await fixture.Client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = fixture.Options.Bucket,
            Key = fixture.Bucket.Keys.Info(upload.Id),
            ContentBody = "{\"not\": \"the store's",
        }).WaitAsync(TestData.Timeout);
        var fresh = fixture.OpenAnotherInstance();

        var read = await Assert.ThrowsAsync<UploadStoreException>(() =>
            fresh.GetAsync(upload.Id, CancellationToken.None).WaitAsync(TestData.Timeout));
        var listed = new List<string>();
        await foreach (var info in fresh.ListAsync(CancellationToken.None))
        {
            listed.Add(info.Id);
        }

        await fresh.DeleteAsync(upload.Id, CancellationToken.None).WaitAsync(TestData.Timeout);

        Assert.Equal(UploadStoreError.Damaged, read.Error);
        Assert.DoesNotContain(upload.Id, listed);
        Assert.Null(await fresh.GetAsync(upload.Id, CancellationToken.None).WaitAsync(TestData.Timeout));
        var left = new List<string>();
        var prefix = fixture.Bucket.Keys.Content(upload.Id);
        await foreach (var key in fixture.Bucket.ListKeysAsync(prefix, CancellationToken.None))
        {
            left.Add(key);
        }

        Assert.Empty(left);
    }
}
