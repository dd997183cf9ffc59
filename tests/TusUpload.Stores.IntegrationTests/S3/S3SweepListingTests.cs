using Amazon.S3.Model;
using TusUpload.Protocol.Storage;

namespace TusUpload.Stores.IntegrationTests.S3;

/// <summary>
/// The expiry sweep's listing reads a settled upload (complete, completion recorded) once per process and then
/// leaves it out while its info object stays as read, instead of reading every info object at every sweep.
/// </summary>
public sealed class S3SweepListingTests(S3StoreFixture fixture) : IClassFixture<S3StoreFixture>
{
    [Fact]
    public async Task A_settled_upload_is_read_once_and_left_out_of_later_listings_until_its_info_changes()
    {
        var bytes = TestData.Bytes(3000, seed: 43);
        var created = await S3Chunks.CreateAsync(fixture.Store, bytes.Length);
        var settled = await S3Chunks.WriteAsync(fixture.Store, created, bytes);
        await fixture.Store.MarkCompletionRecordedAsync(settled.Id, CancellationToken.None)
            .WaitAsync(TestData.Timeout);
        var unfinished = await S3Chunks.CreateAsync(fixture.Store, 10);

        var first = await ListAsync(fixture.Store);
        var second = await ListAsync(fixture.Store);
        var elsewhere = await ListAsync(fixture.OpenAnotherInstance());
        await RewriteInfoAsync(settled.Id);
        var afterChange = await ListAsync(fixture.Store);

        Assert.Contains(settled.Id, first);
        Assert.Contains(unfinished.Id, first);
        Assert.DoesNotContain(settled.Id, second);
        Assert.Contains(unfinished.Id, second);
        Assert.Contains(settled.Id, elsewhere);
        Assert.Contains(settled.Id, afterChange);
        Assert.True(afterChange[settled.Id].CompletionRecorded);
    }

    private static async Task<Dictionary<string, UploadInfo>> ListAsync(IUploadStore store)
    {
        var listed = new Dictionary<string, UploadInfo>();
        await foreach (var upload in store.ListAsync(CancellationToken.None))
        {
            listed[upload.Id] = upload;
        }

        return listed;
    }

    /// <summary>The same state with a trailing space: another ETag, as any change of the info object gives.</summary>
    private async Task RewriteInfoAsync(string uploadId)
    {
        var key = fixture.Bucket.Keys.Info(uploadId);
        using var current = await fixture.Client.GetObjectAsync(fixture.Options.Bucket, key)
            .WaitAsync(TestData.Timeout);
        using var reader = new StreamReader(current.ResponseStream);
        var json = await reader.ReadToEndAsync().WaitAsync(TestData.Timeout);
        await fixture.Client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = fixture.Options.Bucket,
            Key = key,
            ContentBody = json + " ",
        }).WaitAsync(TestData.Timeout);
    }
}
