using Amazon.S3.Model;
using TusUpload.Protocol.Storage;

namespace TusUpload.Stores.IntegrationTests.S3;

/// <summary>S3's multipart rules against the chunk sizes clients really send.</summary>
public sealed class S3PartRuleTests(S3StoreFixture fixture) : IClassFixture<S3StoreFixture>
{
    private const int KiB = 1024;
    private const int MiB = 1024 * 1024;

    private IUploadStore Store => fixture.Store;

    [Fact]
    public async Task Small_and_odd_chunks_become_equal_parts_and_the_object_is_byte_identical()
    {
        int[] chunks = [KiB, 3 * MiB, 1, 777_777, 3 * MiB, 12_345, 2 * MiB + 3];
        var bytes = TestData.Bytes(chunks.Sum(), seed: 11);
        var upload = await S3Chunks.CreateAsync(Store, bytes.Length);

        var position = 0;
        foreach (var size in chunks[..^1])
        {
            upload = await S3Chunks.WriteAsync(Store, upload, bytes.AsMemory(position, size));
            position += size;
            Assert.Equal(position, (await S3Chunks.GetAsync(fixture.OpenAnotherInstance(), upload.Id)).Offset);
        }

        var partsBeforeLast = await S3Chunks.ListPartsAsync(fixture, upload.Id);
        var completed = await S3Chunks.WriteAsync(Store, upload, bytes.AsMemory(position));

        Assert.NotEmpty(partsBeforeLast);
        Assert.All(partsBeforeLast, part => Assert.Equal(S3StoreFixture.PartSize, part.Size));
        Assert.True(completed.IsComplete);
        Assert.Equal(bytes, await S3Chunks.ReadAllAsync(Store, completed));
    }

    [Fact]
    public async Task Six_MiB_patch_then_head_counts_the_remainder_kept_as_incomplete_part()
    {
        var bytes = TestData.Bytes(10 * MiB, seed: 12);
        var upload = await S3Chunks.CreateAsync(Store, bytes.Length);

        await S3Chunks.WriteAsync(Store, upload, bytes.AsMemory(0, 6 * MiB));
        var head = await S3Chunks.GetAsync(fixture.OpenAnotherInstance(), upload.Id);
        var state = await S3Chunks.StateAsync(fixture, upload.Id);

        Assert.Equal(6 * MiB, head.Offset);
        Assert.Single(state.Parts);
        Assert.Equal(S3StoreFixture.PartSize, state.Parts[0].Size);
        Assert.Equal(MiB, state.IncompleteSize);
        Assert.NotNull(state.IncompleteKey);
    }

    [Fact]
    public async Task Deferred_length_upload_finishing_below_5_MiB_completes_with_one_small_part()
    {
        var bytes = TestData.Bytes(4 * MiB + 321, seed: 13);
        var upload = await S3Chunks.CreateAsync(Store, length: null);

        upload = await S3Chunks.WriteAsync(Store, upload, bytes.AsMemory(0, 3 * MiB));
        upload = await Store.DeclareLengthAsync(upload.Id, bytes.Length, CancellationToken.None)
            .WaitAsync(TestData.Timeout);
        var completed = await S3Chunks.WriteAsync(Store, upload, bytes.AsMemory(3 * MiB));
        var state = await S3Chunks.StateAsync(fixture, upload.Id);

        Assert.True(completed.IsComplete);
        Assert.True(state.Assembled);
        Assert.Single(state.Parts);
        Assert.Equal(bytes, await S3Chunks.ReadAllAsync(Store, completed));
    }

    [Fact]
    public async Task Deferred_length_declared_after_the_last_bytes_completes_from_the_incomplete_part()
    {
        var bytes = TestData.Bytes(2 * MiB + 5, seed: 14);
        var upload = await S3Chunks.CreateAsync(Store, length: null);

        upload = await S3Chunks.WriteAsync(Store, upload, bytes);
        var completed = await Store.DeclareLengthAsync(upload.Id, bytes.Length, CancellationToken.None)
            .WaitAsync(TestData.Timeout);

        Assert.True(completed.IsComplete);
        Assert.Equal(bytes, await S3Chunks.ReadAllAsync(Store, completed));
    }

    [Fact]
    public async Task Zero_byte_upload_is_assembled_from_one_empty_part_at_creation()
    {
        var upload = await S3Chunks.CreateAsync(Store, length: 0);

        var state = await S3Chunks.StateAsync(fixture, upload.Id);
        var head = await fixture.Client
            .GetObjectMetadataAsync(fixture.Options.Bucket, fixture.Bucket.Keys.Content(upload.Id))
            .WaitAsync(TestData.Timeout);

        Assert.True(state.Assembled);
        Assert.Single(state.Parts);
        Assert.Equal(0, state.Parts[0].Size);
        Assert.Equal(0, head.ContentLength);
    }

    [Fact]
    public async Task Concatenation_of_large_partials_copies_them_server_side_as_parts()
    {
        var first = TestData.Bytes(5 * MiB, seed: 15);
        var second = TestData.Bytes(MiB + 7, seed: 16);
        var partials = new List<UploadInfo>();
        foreach (var bytes in new[] { first, second })
        {
            var partial = TestData.Upload(bytes.Length, UploadConcat.Partial);
            await Store.CreateAsync(partial, CancellationToken.None).WaitAsync(TestData.Timeout);
            partials.Add(await S3Chunks.WriteAsync(Store, partial, bytes));
        }

        var final = TestData.Upload(null, UploadConcat.Final([.. partials.Select(p => p.Id)]));
        await Store.CreateAsync(final, CancellationToken.None).WaitAsync(TestData.Timeout);
        var completed = await Store.ConcatenateAsync(final, partials, CancellationToken.None)
            .WaitAsync(TestData.Timeout);
        var state = await S3Chunks.StateAsync(fixture, final.Id);
        var stored = await S3Chunks.ReadAllAsync(Store, completed);

        byte[] expected = [.. first, .. second];
        Assert.Equal([first.Length, (long)second.Length], state.Parts.Select(part => part.Size));
        Assert.Equal(expected, stored);
    }

    [Fact]
    public async Task Terminating_aborts_the_multipart_upload_and_removes_every_helper_object()
    {
        var bytes = TestData.Bytes(6 * MiB, seed: 17);
        var upload = await S3Chunks.CreateAsync(Store, 8 * MiB);
        await S3Chunks.WriteAsync(Store, upload, bytes);
        var state = await S3Chunks.StateAsync(fixture, upload.Id);

        await Store.DeleteAsync(upload.Id, CancellationToken.None).WaitAsync(TestData.Timeout);
        var uploads = await fixture.Client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest
        {
            BucketName = fixture.Options.Bucket,
            Prefix = fixture.Bucket.Keys.Content(upload.Id),
        }).WaitAsync(TestData.Timeout);
        var keys = new List<string>();
        await foreach (var key in fixture.Bucket.ListKeysAsync(
            fixture.Bucket.Keys.Content(upload.Id), CancellationToken.None))
        {
            keys.Add(key);
        }

        Assert.NotNull(state.MultipartUploadId);
        Assert.DoesNotContain(uploads.MultipartUploads ?? [], item => item.UploadId == state.MultipartUploadId);
        Assert.Empty(keys);
        Assert.Null(await Store.GetAsync(upload.Id, CancellationToken.None).WaitAsync(TestData.Timeout));
    }
}
