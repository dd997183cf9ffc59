using Amazon.S3.Model;
using TusUpload.Protocol.Storage;

namespace TusUpload.Stores.IntegrationTests.S3;

/// <summary>
/// Uploads of at most one part never start a multipart upload: their bytes are stored whole by one PutObject when
/// the upload completes, and the multipart upload of a larger one starts only when its first full part is cut.
/// </summary>
public sealed class S3SingleObjectTests(S3StoreFixture fixture) : IClassFixture<S3StoreFixture>
{
    private const int KiB = 1024;
    private const int MiB = 1024 * 1024;

    private IUploadStore Store => fixture.Store;

    [Fact]
    public async Task One_request_with_the_whole_upload_is_one_object_without_a_multipart_upload()
    {
        var bytes = TestData.Bytes(MiB + 17, seed: 31);
        var upload = await S3Chunks.CreateAsync(Store, bytes.Length);

        var completed = await S3Chunks.WriteAsync(Store, upload, bytes);
        var head = await S3Chunks.GetAsync(fixture.OpenAnotherInstance(), upload.Id);
        var state = await S3Chunks.StateAsync(fixture, upload.Id);

        Assert.True(completed.IsComplete);
        Assert.Equal(bytes.Length, head.Offset);
        Assert.Null(state.MultipartUploadId);
        Assert.True(state.Assembled);
        Assert.Equal(bytes.Length, Assert.Single(state.Parts).Size);
        Assert.Equal(TestData.Sha256(bytes), head.ContentSha256);
        Assert.Equal(bytes, await ReadContentObjectAsync(upload.Id));
        Assert.Equal(bytes, await S3Chunks.ReadAllAsync(Store, completed));
        Assert.Empty(await MultipartUploadsAsync(upload.Id));
        Assert.Equal(ContentAndInfo(upload.Id), await KeysAsync(upload.Id));
    }

    [Fact]
    public async Task Upload_of_exactly_one_part_is_one_object_too()
    {
        var bytes = TestData.Bytes((int)S3StoreFixture.PartSize, seed: 32);
        var upload = await S3Chunks.CreateAsync(Store, bytes.Length);

        var completed = await S3Chunks.WriteAsync(Store, upload, bytes, allOrNothing: true);
        var state = await S3Chunks.StateAsync(fixture, upload.Id);

        Assert.True(completed.IsComplete);
        Assert.Null(state.MultipartUploadId);
        Assert.Equal(bytes, await ReadContentObjectAsync(upload.Id));
        Assert.Empty(await MultipartUploadsAsync(upload.Id));
    }

    [Fact]
    public async Task Interrupted_request_resumed_on_another_instance_ends_as_one_object_without_helpers()
    {
        var bytes = TestData.Bytes(3 * MiB, seed: 33);
        var upload = await S3Chunks.CreateAsync(Store, bytes.Length);

        // The first request is cut off after 700 KiB: what arrived is committed as the incomplete part.
        var interrupted = await S3Chunks.WriteAsync(Store, upload, bytes.AsMemory(0, 700 * KiB));
        var afterCut = await S3Chunks.GetAsync(fixture.OpenAnotherInstance(), upload.Id);
        var other = fixture.OpenAnotherInstance();
        var completed = await S3Chunks.WriteAsync(other, interrupted, bytes.AsMemory(700 * KiB));
        var state = await S3Chunks.StateAsync(fixture, upload.Id);

        Assert.Equal(700 * KiB, afterCut.Offset);
        Assert.False(afterCut.IsComplete);
        Assert.True(completed.IsComplete);
        Assert.Null(state.MultipartUploadId);
        Assert.Null(state.IncompleteKey);
        Assert.Equal(TestData.Sha256(bytes), completed.ContentSha256);
        Assert.Equal(bytes, await S3Chunks.ReadAllAsync(Store, completed));
        Assert.Equal(ContentAndInfo(upload.Id), await KeysAsync(upload.Id));
    }

    [Fact]
    public async Task Zero_byte_upload_is_an_empty_object_without_a_multipart_upload()
    {
        var upload = await S3Chunks.CreateAsync(Store, length: 0);

        var stored = await S3Chunks.GetAsync(Store, upload.Id);
        var state = await S3Chunks.StateAsync(fixture, upload.Id);

        Assert.True(stored.IsComplete);
        Assert.Null(state.MultipartUploadId);
        Assert.Equal(TestData.Sha256([]), stored.ContentSha256);
        Assert.Empty(await ReadContentObjectAsync(upload.Id));
        Assert.Empty(await MultipartUploadsAsync(upload.Id));
    }

    [Fact]
    public async Task Deferred_upload_declared_empty_is_an_empty_object()
    {
        var upload = await S3Chunks.CreateAsync(Store, length: null);

        var completed = await Store.DeclareLengthAsync(upload.Id, 0, CancellationToken.None)
            .WaitAsync(TestData.Timeout);
        var state = await S3Chunks.StateAsync(fixture, upload.Id);

        Assert.True(completed.IsComplete);
        Assert.True(state.Assembled);
        Assert.Empty(await S3Chunks.ReadAllAsync(Store, completed));
        Assert.Empty(await ReadContentObjectAsync(upload.Id));
    }

    [Fact]
    public async Task Checksum_failure_of_a_whole_upload_leaves_nothing_and_a_retry_succeeds()
    {
        var bytes = TestData.Bytes(2 * MiB, seed: 34);
        var upload = await S3Chunks.CreateAsync(Store, bytes.Length);

        // A chunk with a checksum that did not match is disposed without a commit.
        await S3Chunks.WriteAsync(Store, upload, bytes, allOrNothing: true, commit: false);
        var afterMismatch = await S3Chunks.GetAsync(Store, upload.Id);
        var keysAfterMismatch = await KeysAsync(upload.Id);
        var completed = await S3Chunks.WriteAsync(Store, afterMismatch, bytes, allOrNothing: true);

        Assert.Equal(0, afterMismatch.Offset);
        Assert.Equal([fixture.Bucket.Keys.Info(upload.Id)], keysAfterMismatch);
        Assert.Empty(await MultipartUploadsAsync(upload.Id));
        Assert.True(completed.IsComplete);
        Assert.Equal(bytes, await S3Chunks.ReadAllAsync(Store, completed));
    }

    [Fact]
    public async Task Object_left_by_a_crash_before_the_info_was_written_is_overwritten_by_the_resumed_upload()
    {
        var bytes = TestData.Bytes(MiB, seed: 35);
        var upload = await S3Chunks.CreateAsync(Store, bytes.Length);
        await fixture.Client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = fixture.Options.Bucket,
            Key = fixture.Bucket.Keys.Content(upload.Id),
            InputStream = new MemoryStream(TestData.Bytes(MiB, seed: 36)),
        }).WaitAsync(TestData.Timeout);

        var before = await S3Chunks.GetAsync(Store, upload.Id);
        var completed = await S3Chunks.WriteAsync(Store, before, bytes);

        Assert.Equal(0, before.Offset);
        Assert.Equal(bytes, await S3Chunks.ReadAllAsync(Store, completed));
    }

    [Fact]
    public async Task Multipart_upload_is_recorded_before_its_first_part_so_termination_aborts_it()
    {
        var bytes = TestData.Bytes(6 * MiB, seed: 37);
        var upload = await S3Chunks.CreateAsync(Store, 12 * MiB);
        var created = await S3Chunks.StateAsync(fixture, upload.Id);

        // An all-or-nothing chunk that never commits: its first part went up, nothing of it is recorded.
        await S3Chunks.WriteAsync(Store, upload, bytes, allOrNothing: true, commit: false);
        var state = await S3Chunks.StateAsync(fixture, upload.Id);
        var running = await MultipartUploadsAsync(upload.Id);
        await Store.DeleteAsync(upload.Id, CancellationToken.None).WaitAsync(TestData.Timeout);

        Assert.Null(created.MultipartUploadId);
        Assert.NotNull(state.MultipartUploadId);
        Assert.Equal(0, state.Offset);
        Assert.Contains(running, item => item.UploadId == state.MultipartUploadId);
        Assert.Empty(await MultipartUploadsAsync(upload.Id));
        Assert.Empty(await KeysAsync(upload.Id));
    }

    [Fact]
    public async Task Concatenation_of_whole_object_partials_is_byte_identical_both_ways()
    {
        // Small partials are streamed through the store; a 5 MiB one is copied server-side from its plain object.
        byte[][] small = [TestData.Bytes(KiB, seed: 38), TestData.Bytes(3 * KiB + 1, seed: 39)];
        byte[][] large = [TestData.Bytes(5 * MiB, seed: 40), TestData.Bytes(2 * KiB, seed: 41)];

        foreach (var contents in new[] { small, large })
        {
            var partials = new List<UploadInfo>();
            foreach (var bytes in contents)
            {
                var partial = TestData.Upload(bytes.Length, UploadConcat.Partial);
                await Store.CreateAsync(partial, CancellationToken.None).WaitAsync(TestData.Timeout);
                partials.Add(await S3Chunks.WriteAsync(Store, partial, bytes));
            }

            var final = TestData.Upload(null, UploadConcat.Final([.. partials.Select(p => p.Id)]));
            await Store.CreateAsync(final, CancellationToken.None).WaitAsync(TestData.Timeout);
            var completed = await Store.ConcatenateAsync(final, partials, CancellationToken.None)
                .WaitAsync(TestData.Timeout);

            byte[] expected = [.. contents[0], .. contents[1]];
            Assert.True(completed.IsComplete);
            Assert.Equal(expected, await S3Chunks.ReadAllAsync(Store, completed));
            Assert.Empty(await MultipartUploadsAsync(final.Id));
        }
    }

    private string[] ContentAndInfo(string uploadId) =>
        [fixture.Bucket.Keys.Content(uploadId), fixture.Bucket.Keys.Info(uploadId)];

    private async Task<byte[]> ReadContentObjectAsync(string uploadId)
    {
        var key = fixture.Bucket.Keys.Content(uploadId);
        using var response = await fixture.Client.GetObjectAsync(fixture.Options.Bucket, key)
            .WaitAsync(TestData.Timeout);
        using var copy = new MemoryStream();
        await response.ResponseStream.CopyToAsync(copy).WaitAsync(TestData.Timeout);
        return copy.ToArray();
    }

    private async Task<List<MultipartUpload>> MultipartUploadsAsync(string uploadId)
    {
        var response = await fixture.Client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest
        {
            BucketName = fixture.Options.Bucket,
            Prefix = fixture.Bucket.Keys.Content(uploadId),
        }).WaitAsync(TestData.Timeout);
        return response.MultipartUploads ?? [];
    }

    private async Task<List<string>> KeysAsync(string uploadId)
    {
        var keys = new List<string>();
        var prefix = fixture.Bucket.Keys.Content(uploadId);
        await foreach (var key in fixture.Bucket.ListKeysAsync(prefix, CancellationToken.None))
        {
            keys.Add(key);
        }

        keys.Sort(StringComparer.Ordinal);
        return keys;
    }
}
