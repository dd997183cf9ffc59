using TusUpload.Protocol.Storage;

namespace TusUpload.Stores.IntegrationTests;

public abstract partial class UploadStoreContract
{
    protected IBlobStore Blobs => Fixture.Blobs;

    [Fact]
    public async Task Promoted_blob_exists_and_serves_the_upload_bytes()
    {
        var bytes = TestData.Bytes(200_000, seed: 20);
        var sha256 = TestData.Sha256(bytes);
        var upload = await WriteChunkAsync(await CreateAsync(bytes.Length), bytes, allOrNothing: false);

        Assert.False(await Blobs.ExistsAsync(sha256, CancellationToken.None).WaitAsync(TestData.Timeout));
        await Blobs.PromoteAsync(upload, sha256, CancellationToken.None).WaitAsync(TestData.Timeout);

        Assert.True(await Blobs.ExistsAsync(sha256, CancellationToken.None).WaitAsync(TestData.Timeout));
        Assert.Equal(bytes, await ReadBlobAsync(sha256, 0, bytes.Length));
        Assert.Equal(bytes.AsSpan(1000, 5000).ToArray(), await ReadBlobAsync(sha256, 1000, 5000));
        Assert.Equal(bytes, await ReadAsync(upload, 0, bytes.Length));
    }

    [Fact]
    public async Task Promoting_the_same_content_twice_keeps_one_blob_with_the_same_bytes()
    {
        var bytes = TestData.Bytes(5000, seed: 21);
        var sha256 = TestData.Sha256(bytes);
        var first = await WriteChunkAsync(await CreateAsync(bytes.Length), bytes, allOrNothing: false);
        var second = await WriteChunkAsync(await CreateAsync(bytes.Length), bytes, allOrNothing: false);

        await Blobs.PromoteAsync(first, sha256, CancellationToken.None).WaitAsync(TestData.Timeout);
        await Blobs.PromoteAsync(second, sha256, CancellationToken.None).WaitAsync(TestData.Timeout);
        await Blobs.PromoteAsync(first, sha256, CancellationToken.None).WaitAsync(TestData.Timeout);

        Assert.Equal(bytes, await ReadBlobAsync(sha256, 0, bytes.Length));
    }

    [Fact]
    public async Task Releasing_upload_data_keeps_its_tus_state_and_the_blob()
    {
        var bytes = TestData.Bytes(3000, seed: 22);
        var sha256 = TestData.Sha256(bytes);
        var upload = await WriteChunkAsync(await CreateAsync(bytes.Length), bytes, allOrNothing: false);
        await Blobs.PromoteAsync(upload, sha256, CancellationToken.None).WaitAsync(TestData.Timeout);

        await Blobs.ReleaseUploadDataAsync(upload.Id, CancellationToken.None).WaitAsync(TestData.Timeout);
        await Blobs.ReleaseUploadDataAsync(upload.Id, CancellationToken.None).WaitAsync(TestData.Timeout);

        var stored = await Store.GetAsync(upload.Id, CancellationToken.None).WaitAsync(TestData.Timeout);
        Assert.True(stored!.IsComplete);
        Assert.Equal(bytes, await ReadBlobAsync(sha256, 0, bytes.Length));
    }

    [Fact]
    public async Task Deleting_a_blob_removes_it_and_repeating_it_is_harmless()
    {
        var bytes = TestData.Bytes(100, seed: 23);
        var sha256 = TestData.Sha256(bytes);
        var upload = await WriteChunkAsync(await CreateAsync(bytes.Length), bytes, allOrNothing: false);
        await Blobs.PromoteAsync(upload, sha256, CancellationToken.None).WaitAsync(TestData.Timeout);

        await Blobs.DeleteAsync(sha256, CancellationToken.None).WaitAsync(TestData.Timeout);
        await Blobs.DeleteAsync(sha256, CancellationToken.None).WaitAsync(TestData.Timeout);

        Assert.False(await Blobs.ExistsAsync(sha256, CancellationToken.None).WaitAsync(TestData.Timeout));
        Assert.Equal(bytes, await ReadAsync(upload, 0, bytes.Length));
    }

    [Fact]
    public async Task Promoting_an_upload_deleted_meanwhile_fails_as_not_found_and_makes_no_blob()
    {
        var bytes = TestData.Bytes(4000, seed: 24);
        var sha256 = TestData.Sha256(bytes);
        var upload = await WriteChunkAsync(await CreateAsync(bytes.Length), bytes, allOrNothing: false);
        await Store.DeleteAsync(upload.Id, CancellationToken.None).WaitAsync(TestData.Timeout);

        var failure = await Assert.ThrowsAsync<UploadStoreException>(() =>
            Blobs.PromoteAsync(upload, sha256, CancellationToken.None).WaitAsync(TestData.Timeout));

        Assert.Equal(UploadStoreError.NotFound, failure.Error);
        Assert.False(await Blobs.ExistsAsync(sha256, CancellationToken.None).WaitAsync(TestData.Timeout));
    }

    protected async Task<byte[]> ReadBlobAsync(string sha256, long start, long count)
    {
        var stream = await Blobs.OpenReadAsync(sha256, start, count, CancellationToken.None)
            .WaitAsync(TestData.Timeout);
        return await TestData.ReadAllAsync(stream);
    }
}
