using TusUpload.Protocol.Storage;

namespace TusUpload.Stores.IntegrationTests;

/// <summary>
/// The behaviour every <see cref="IUploadStore"/> and <see cref="IBlobStore"/> must show. A store's test class
/// derives from this and supplies its fixture; every test here then runs against that store.
/// </summary>
public abstract partial class UploadStoreContract(IUploadStoreFixture fixture)
{
    protected IUploadStoreFixture Fixture { get; } = fixture;

    protected IUploadStore Store => Fixture.Store;

    [Fact]
    public async Task Create_then_get_returns_the_upload_at_offset_zero()
    {
        var upload = TestData.Upload(length: 10);

        await Store.CreateAsync(upload, CancellationToken.None).WaitAsync(TestData.Timeout);
        var stored = await Store.GetAsync(upload.Id, CancellationToken.None).WaitAsync(TestData.Timeout);

        Assert.NotNull(stored);
        Assert.Equal(upload.Id, stored.Id);
        Assert.Equal(10, stored.Length);
        Assert.Equal(0, stored.Offset);
        Assert.Equal(upload.Metadata, stored.Metadata);
        Assert.Equal(upload.ExpiresAt, stored.ExpiresAt);
        Assert.Equal(UploadConcatKind.None, stored.Concat.Kind);
        Assert.False(stored.CompletionRecorded);
    }

    [Fact]
    public async Task Create_with_an_existing_id_throws_AlreadyExists_and_keeps_the_first_upload()
    {
        var upload = TestData.Upload(length: 10);
        await Store.CreateAsync(upload, CancellationToken.None).WaitAsync(TestData.Timeout);

        var error = await Assert.ThrowsAsync<UploadStoreException>(
            () => Store.CreateAsync(upload with { Length = 99 }, CancellationToken.None).WaitAsync(TestData.Timeout));

        Assert.Equal(UploadStoreError.AlreadyExists, error.Error);
        var stored = await Store.GetAsync(upload.Id, CancellationToken.None).WaitAsync(TestData.Timeout);
        Assert.Equal(10, stored!.Length);
    }

    [Fact]
    public async Task Get_of_an_unknown_id_returns_null()
    {
        var stored = await Store.GetAsync(TestData.NewId(), CancellationToken.None).WaitAsync(TestData.Timeout);

        Assert.Null(stored);
    }

    [Fact]
    public async Task Zero_length_upload_is_complete_at_creation()
    {
        var upload = TestData.Upload(length: 0);

        await Store.CreateAsync(upload, CancellationToken.None).WaitAsync(TestData.Timeout);
        var stored = await Store.GetAsync(upload.Id, CancellationToken.None).WaitAsync(TestData.Timeout);

        Assert.True(stored!.IsComplete);
    }

    [Fact]
    public async Task Committed_chunks_move_the_offset_and_store_the_bytes_in_order()
    {
        var bytes = TestData.Bytes(300_000, seed: 1);
        var upload = await CreateAsync(bytes.Length);

        var afterFirst = await WriteChunkAsync(upload, bytes.AsMemory(0, 123_457), allOrNothing: false);
        var afterSecond = await WriteChunkAsync(afterFirst, bytes.AsMemory(123_457), allOrNothing: true);

        Assert.Equal(123_457, afterFirst.Offset);
        Assert.Equal(bytes.Length, afterSecond.Offset);
        Assert.True(afterSecond.IsComplete);
        Assert.Equal(bytes, await ReadAsync(afterSecond, 0, bytes.Length));
    }

    [Fact]
    public async Task Chunk_writer_reports_its_start_offset_and_bytes_written()
    {
        var bytes = TestData.Bytes(1000, seed: 2);
        var upload = await WriteChunkAsync(await CreateAsync(bytes.Length), bytes.AsMemory(0, 400), false);

        await using var writer = await Store
            .OpenChunkAsync(upload, new ChunkOptions(false, 600), CancellationToken.None)
            .WaitAsync(TestData.Timeout);
        await writer.WriteAsync(bytes.AsMemory(400, 250), CancellationToken.None).AsTask().WaitAsync(TestData.Timeout);

        Assert.Equal(400, writer.StartOffset);
        Assert.Equal(250, writer.BytesWritten);
    }

    [Fact]
    public async Task Discarding_a_small_chunk_without_commit_leaves_offset_and_data_unchanged()
    {
        var bytes = TestData.Bytes(4000, seed: 3);
        var upload = await WriteChunkAsync(await CreateAsync(bytes.Length), bytes.AsMemory(0, 1000), false);

        await WriteChunkAsync(upload, TestData.Bytes(500, seed: 99), allOrNothing: false, commit: false);
        var stored = await Store.GetAsync(upload.Id, CancellationToken.None).WaitAsync(TestData.Timeout);
        var resumed = await WriteChunkAsync(stored!, bytes.AsMemory(1000), allOrNothing: false);

        Assert.Equal(1000, stored!.Offset);
        Assert.Equal(bytes, await ReadAsync(resumed, 0, bytes.Length));
    }

    [Fact]
    public async Task Discarding_an_all_or_nothing_chunk_keeps_none_of_it_even_past_a_checkpoint()
    {
        var chunkBytes = (int)Fixture.CheckpointBytes * 2 + 1234;
        var bytes = TestData.Bytes(chunkBytes + 1000, seed: 4);
        var upload = await WriteChunkAsync(await CreateAsync(bytes.Length), bytes.AsMemory(0, 1000), false);

        await WriteChunkAsync(upload, TestData.Bytes(chunkBytes, seed: 98), allOrNothing: true, commit: false);
        var stored = await Store.GetAsync(upload.Id, CancellationToken.None).WaitAsync(TestData.Timeout);
        var resumed = await WriteChunkAsync(stored!, bytes.AsMemory(1000), allOrNothing: true);

        Assert.Equal(1000, stored!.Offset);
        Assert.Equal(bytes.Length, resumed.Offset);
        Assert.Equal(bytes, await ReadAsync(resumed, 0, bytes.Length));
    }

    [Fact]
    public async Task Abandoned_writer_keeps_the_bytes_it_checkpointed()
    {
        var checkpoint = (int)Fixture.CheckpointBytes;
        var bytes = TestData.Bytes(checkpoint * 3, seed: 5);
        var written = checkpoint * 2 + checkpoint / 2;
        var upload = await CreateAsync(bytes.Length);

        await WriteChunkAsync(upload, bytes.AsMemory(0, written), allOrNothing: false, commit: false, slice: 64 * 1024);
        var stored = await Fixture.OpenAnotherInstance().GetAsync(upload.Id, CancellationToken.None)
            .WaitAsync(TestData.Timeout);

        // Reads are defined for complete uploads only, so the kept prefix is proven by finishing the upload.
        var completed = await WriteChunkAsync(stored!, bytes.AsMemory((int)stored!.Offset), allOrNothing: false);

        Assert.InRange(stored.Offset, checkpoint * 2, written);
        Assert.Equal(bytes, await ReadAsync(completed, 0, bytes.Length));
    }

    [Fact]
    public async Task Chunk_that_would_pass_the_declared_length_is_refused_and_keeps_nothing()
    {
        var upload = await CreateAsync(100);

        await using (var writer = await Store
            .OpenChunkAsync(upload, new ChunkOptions(false, 1000), CancellationToken.None)
            .WaitAsync(TestData.Timeout))
        {
            var error = await Assert.ThrowsAsync<UploadStoreException>(
                () => writer.WriteAsync(new byte[101], CancellationToken.None).AsTask().WaitAsync(TestData.Timeout));
            Assert.Equal(UploadStoreError.LimitExceeded, error.Error);
        }

        var stored = await Store.GetAsync(upload.Id, CancellationToken.None).WaitAsync(TestData.Timeout);
        Assert.Equal(0, stored!.Offset);
    }

    [Fact]
    public async Task Another_instance_continues_an_upload_where_the_first_left_it()
    {
        var bytes = TestData.Bytes(9000, seed: 6);
        var upload = await WriteChunkAsync(await CreateAsync(bytes.Length), bytes.AsMemory(0, 5000), false);
        var other = Fixture.OpenAnotherInstance();

        var seen = await other.GetAsync(upload.Id, CancellationToken.None).WaitAsync(TestData.Timeout);
        var completed = await WriteChunkAsync(seen!, bytes.AsMemory(5000), allOrNothing: false, store: other);

        Assert.Equal(5000, seen!.Offset);
        Assert.Equal(bytes, await ReadAsync(completed, 0, bytes.Length));
    }

    protected async Task<UploadInfo> CreateAsync(long? length, UploadConcat? concat = null)
    {
        var upload = TestData.Upload(length, concat);
        await Store.CreateAsync(upload, CancellationToken.None).WaitAsync(TestData.Timeout);
        return upload;
    }

    /// <summary>
    /// Writes <paramref name="bytes"/> as one chunk, declaring <paramref name="declaredLength"/> with it when given;
    /// without commit, the writer is disposed as abandoned.
    /// </summary>
    protected async Task<UploadInfo> WriteChunkAsync(
        UploadInfo upload,
        ReadOnlyMemory<byte> bytes,
        bool allOrNothing,
        bool commit = true,
        int slice = 16 * 1024,
        IUploadStore? store = null,
        long? declaredLength = null)
    {
        store ??= Store;
        var length = declaredLength ?? upload.Length ?? long.MaxValue;
        var options = new ChunkOptions(allOrNothing, length - upload.Offset, declaredLength);
        await using var writer = await store.OpenChunkAsync(upload, options, CancellationToken.None)
            .WaitAsync(TestData.Timeout);

        for (var start = 0; start < bytes.Length; start += slice)
        {
            var part = bytes.Slice(start, Math.Min(slice, bytes.Length - start));
            await writer.WriteAsync(part, CancellationToken.None).AsTask().WaitAsync(TestData.Timeout);
        }

        return commit ? await writer.CommitAsync(CancellationToken.None).WaitAsync(TestData.Timeout) : upload;
    }

    protected async Task<byte[]> ReadAsync(UploadInfo upload, long start, long count)
    {
        var stream = await Store.OpenReadAsync(upload, start, count, CancellationToken.None)
            .WaitAsync(TestData.Timeout);
        return await TestData.ReadAllAsync(stream);
    }
}
