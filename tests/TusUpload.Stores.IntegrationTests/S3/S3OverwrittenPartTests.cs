using TusUpload.Protocol.Storage;

namespace TusUpload.Stores.IntegrationTests.S3;

/// <summary>
/// A recorded part that S3 no longer holds as recorded (overwritten by a late request of a writer that lost the
/// upload) makes the assembly fail: the store sets the upload back to the parts before it and says so.
/// </summary>
public sealed class S3OverwrittenPartTests(S3StoreFixture fixture) : IClassFixture<S3StoreFixture>
{
    private const int PartSize = (int)S3StoreFixture.PartSize;

    private IUploadStore Store => fixture.Store;

    [Fact]
    public async Task Completing_commit_sets_the_upload_back_to_the_parts_before_the_overwritten_one()
    {
        var bytes = TestData.Bytes((2 * PartSize) + 1000, seed: 61);
        var upload = await S3Chunks.CreateAsync(Store, bytes.Length);
        upload = await S3Chunks.WriteAsync(Store, upload, bytes.AsMemory(0, 2 * PartSize));
        await S3Chunks.OverwritePartAsync(fixture, upload.Id, 2, TestData.Bytes(PartSize, seed: 62));

        var rewound = await Assert.ThrowsAsync<UploadStoreException>(() =>
            S3Chunks.WriteAsync(Store, upload, bytes.AsMemory(2 * PartSize)));
        var head = await S3Chunks.GetAsync(fixture.OpenAnotherInstance(), upload.Id);
        var state = await S3Chunks.StateAsync(fixture, upload.Id);
        var resumed = await S3Chunks.WriteAsync(Store, head, bytes.AsMemory((int)head.Offset));

        Assert.Equal(UploadStoreError.Rewound, rewound.Error);
        Assert.Contains($"from offset {PartSize} were lost and must be sent again", rewound.Message);
        Assert.Equal(PartSize, head.Offset);
        Assert.False(state.Assembled);
        Assert.Null(state.IncompleteKey);
        Assert.True(resumed.IsComplete);
        Assert.Equal(bytes, await S3Chunks.ReadAllAsync(Store, resumed));
    }

    [Fact]
    public async Task Finishing_an_unassembled_upload_whose_first_part_was_overwritten_sets_it_back_to_zero()
    {
        var bytes = TestData.Bytes((2 * PartSize) + 1000, seed: 63);
        var upload = await S3Chunks.CreateAsync(Store, bytes.Length);
        upload = await S3Chunks.WriteAsync(Store, upload, bytes.AsMemory(0, 2 * PartSize));
        var complete = await RecordLastPartUnassembledAsync(upload.Id, bytes.AsMemory(2 * PartSize).ToArray());
        await S3Chunks.OverwritePartAsync(fixture, upload.Id, 1, TestData.Bytes(PartSize, seed: 64));

        var rewound = await Assert.ThrowsAsync<UploadStoreException>(() =>
            fixture.OpenAnotherInstance().FinishAsync(complete, CancellationToken.None).WaitAsync(TestData.Timeout));
        var head = await S3Chunks.GetAsync(fixture.OpenAnotherInstance(), upload.Id);
        var resumed = await S3Chunks.WriteAsync(Store, head, bytes);

        Assert.True(complete.IsComplete);
        Assert.Equal(UploadStoreError.Rewound, rewound.Error);
        Assert.Contains("from offset 0 were lost and must be sent again", rewound.Message);
        Assert.Equal(0, head.Offset);
        Assert.True(resumed.IsComplete);
        Assert.Equal(bytes, await S3Chunks.ReadAllAsync(Store, resumed));
    }

    [Fact]
    public async Task Rewound_commit_removes_the_incomplete_part_object_it_started_from()
    {
        var bytes = TestData.Bytes((2 * PartSize) + 1000, seed: 65);
        var upload = await S3Chunks.CreateAsync(Store, bytes.Length);
        upload = await S3Chunks.WriteAsync(Store, upload, bytes.AsMemory(0, (2 * PartSize) + 100));
        var before = await S3Chunks.StateAsync(fixture, upload.Id);
        await S3Chunks.OverwritePartAsync(fixture, upload.Id, 2, TestData.Bytes(PartSize, seed: 66));

        var rewound = await Assert.ThrowsAsync<UploadStoreException>(() =>
            S3Chunks.WriteAsync(Store, upload, bytes.AsMemory((2 * PartSize) + 100)));
        var left = await IncompletePartKeysAsync(upload.Id);
        var head = await S3Chunks.GetAsync(fixture.OpenAnotherInstance(), upload.Id);
        var resumed = await S3Chunks.WriteAsync(Store, head, bytes.AsMemory((int)head.Offset));

        Assert.NotNull(before.IncompleteKey);
        Assert.Equal(UploadStoreError.Rewound, rewound.Error);
        Assert.Empty(left);
        Assert.Equal(PartSize, head.Offset);
        Assert.True(resumed.IsComplete);
        Assert.Equal(bytes, await S3Chunks.ReadAllAsync(Store, resumed));
    }

    [Fact]
    public async Task Abandoned_chunk_whose_checkpoint_took_in_the_incomplete_part_removes_its_object()
    {
        var bytes = TestData.Bytes((2 * PartSize) + 1000, seed: 67);
        var upload = await S3Chunks.CreateAsync(Store, bytes.Length);
        upload = await S3Chunks.WriteAsync(Store, upload, bytes.AsMemory(0, 100));
        var before = await S3Chunks.StateAsync(fixture, upload.Id);

        // Cut off after the first full part (the incomplete part's bytes and the chunk's own): the writer's
        // disposal records that part, so the info names the incomplete part no more.
        await S3Chunks.WriteAsync(Store, upload, bytes.AsMemory(100, PartSize), commit: false);
        var left = await IncompletePartKeysAsync(upload.Id);
        var head = await S3Chunks.GetAsync(fixture.OpenAnotherInstance(), upload.Id);
        var resumed = await S3Chunks.WriteAsync(Store, head, bytes.AsMemory((int)head.Offset));

        Assert.NotNull(before.IncompleteKey);
        Assert.Empty(left);
        Assert.Equal(PartSize, head.Offset);
        Assert.True(resumed.IsComplete);
        Assert.Equal(bytes, await S3Chunks.ReadAllAsync(Store, resumed));
    }

    /// <summary>The incomplete-part objects S3 holds for the upload, named in its info or not.</summary>
    private async Task<List<string>> IncompletePartKeysAsync(string uploadId)
    {
        var keys = new List<string>();
        var prefix = fixture.Bucket.Keys.IncompletePartPrefix(uploadId);
        using var timeout = new CancellationTokenSource(TestData.Timeout);
        await foreach (var key in fixture.Bucket.ListKeysAsync(prefix, timeout.Token))
        {
            keys.Add(key);
        }

        return keys;
    }

    /// <summary>What a crash between the final commit's info write and CompleteMultipartUpload leaves.</summary>
    private async Task<UploadInfo> RecordLastPartUnassembledAsync(string uploadId, byte[] lastPart)
    {
        var state = await S3Chunks.StateAsync(fixture, uploadId);
        var number = state.Parts.Count + 1;
        await S3Chunks.OverwritePartAsync(fixture, uploadId, number, lastPart);
        var stored = await S3Chunks.ListPartsAsync(fixture, uploadId);
        var etag = stored.Single(part => part.PartNumber == number).ETag;
        state.Parts.Add(new Store.S3.S3Part(number, etag, lastPart.Length));
        await fixture.Bucket.WriteStateAsync(state, createOnly: false, CancellationToken.None)
            .WaitAsync(TestData.Timeout);
        return state.ToUploadInfo();
    }
}
