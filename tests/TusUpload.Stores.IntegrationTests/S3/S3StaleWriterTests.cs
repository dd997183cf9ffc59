using TusUpload.Protocol.Storage;

namespace TusUpload.Stores.IntegrationTests.S3;

/// <summary>
/// Every update of an info object is conditional on the version its writer read (If-Match), so a writer whose
/// lock was taken over while it was cut off cannot put its older state back over the new holder's.
/// </summary>
public sealed class S3StaleWriterTests(S3StoreFixture fixture) : IClassFixture<S3StoreFixture>
{
    [Fact]
    public async Task A_writer_holding_an_older_state_cannot_commit_over_the_newer_one()
    {
        var upload = await S3Chunks.CreateAsync(fixture.Store, 20);
        var stale = await S3Chunks.GetAsync(fixture.Store, upload.Id);
        var newHolder = fixture.OpenAnotherInstance();
        var moved = await S3Chunks.WriteAsync(
            newHolder,
            await S3Chunks.GetAsync(newHolder, upload.Id),
            TestData.Bytes(5, seed: 51));

        // This instance still believes offset 0 (its copy of the info says so) and commits seven bytes there.
        var refused = await Assert.ThrowsAsync<UploadStoreException>(() =>
            S3Chunks.WriteAsync(fixture.Store, stale, TestData.Bytes(7, seed: 52)));
        var now = await S3Chunks.GetAsync(fixture.OpenAnotherInstance(), upload.Id);

        Assert.Equal(5, moved.Offset);
        Assert.Equal(UploadStoreError.Unavailable, refused.Error);
        Assert.Equal(5, now.Offset);
    }

    [Fact]
    public async Task Writers_taking_turns_across_instances_each_commit_on_the_version_they_read()
    {
        var bytes = TestData.Bytes(30, seed: 53);
        var upload = await S3Chunks.CreateAsync(fixture.Store, bytes.Length);
        var other = fixture.OpenAnotherInstance();

        var first = await S3Chunks.WriteAsync(fixture.Store, upload, bytes.AsMemory(0, 10));
        var second = await S3Chunks.WriteAsync(
            other,
            await S3Chunks.GetAsync(other, upload.Id),
            bytes.AsMemory(10, 10));
        var third = await S3Chunks.WriteAsync(
            fixture.Store,
            await S3Chunks.GetAsync(fixture.Store, upload.Id),
            bytes.AsMemory(20, 10));
        var recorded = await fixture.Store.MarkCompletionRecordedAsync(upload.Id, CancellationToken.None)
            .WaitAsync(TestData.Timeout);

        Assert.Equal([10L, 20L, 30L], [first.Offset, second.Offset, third.Offset]);
        Assert.True(recorded.CompletionRecorded);
        Assert.Equal(bytes, await S3Chunks.ReadAllAsync(fixture.Store, recorded));
    }
}
