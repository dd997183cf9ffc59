using TusUpload.Protocol.Storage;

namespace TusUpload.Stores.IntegrationTests;

/// <summary>A deferred length declared with a chunk: stored by the chunk's commit, and by nothing else.</summary>
public abstract partial class UploadStoreContract
{
    /// <summary>
    /// Sizes are given as whole checkpoints (S3 parts) plus bytes, so that the S3 store's final-part, incomplete-part
    /// and multipart paths are all taken; <paramref name="beyond"/> is how far the declared length lies past the chunk.
    /// </summary>
    [Theory]
    [InlineData(0, 1000, 0, 2000, 0, false)]
    [InlineData(0, 1000, 0, 2000, 0, true)]
    [InlineData(0, 1000, 0, 2000, 3000, true)]
    [InlineData(0, 1000, 0, 0, 0, false)]
    [InlineData(0, 1000, 0, 0, 3000, true)]
    [InlineData(1, 1000, 0, 0, 0, true)]
    [InlineData(0, 1000, 1, 1000, 0, false)]
    public async Task Length_declared_with_a_chunk_is_stored_by_its_commit(
        int partsBefore,
        int bytesBefore,
        int chunkParts,
        int chunkBytes,
        int beyond,
        bool allOrNothing)
    {
        var before = (int)(partsBefore * Fixture.CheckpointBytes) + bytesBefore;
        var chunk = (int)(chunkParts * Fixture.CheckpointBytes) + chunkBytes;
        var length = before + chunk + beyond;
        var bytes = TestData.Bytes(length, seed: 20);
        var upload = await WriteChunkAsync(await CreateAsync(length: null), bytes.AsMemory(0, before), false);

        var committed = await WriteChunkAsync(
            upload, bytes.AsMemory(before, chunk), allOrNothing, declaredLength: length);
        var seen = await Fixture.OpenAnotherInstance().GetAsync(upload.Id, CancellationToken.None)
            .WaitAsync(TestData.Timeout);
        var completed = committed.IsComplete
            ? committed
            : await WriteChunkAsync(committed, bytes.AsMemory(before + chunk), allOrNothing: false);

        Assert.Equal(length, committed.Length);
        Assert.Equal(before + chunk, committed.Offset);
        Assert.Equal(length, seen!.Length);
        Assert.Equal(before + chunk, seen.Offset);
        Assert.Equal(bytes, await ReadAsync(completed, 0, length));
    }

    /// <summary>
    /// A chunk that is not committed leaves the length undeclared, even where it keeps bytes it checkpointed
    /// (those are kept as for any chunk without a checksum); the upload then completes with the length declared again.
    /// </summary>
    [Theory]
    [InlineData(0, 2000, true)]
    [InlineData(0, 2000, false)]
    [InlineData(2, 1234, true)]
    [InlineData(2, 1234, false)]
    public async Task Length_declared_with_a_discarded_chunk_stays_undeclared(
        int chunkParts,
        int chunkBytes,
        bool allOrNothing)
    {
        const int Before = 1000;
        var chunk = (int)(chunkParts * Fixture.CheckpointBytes) + chunkBytes;
        var length = Before + chunk + 500;
        var bytes = TestData.Bytes(length, seed: 21);
        var upload = await WriteChunkAsync(await CreateAsync(length: null), bytes.AsMemory(0, Before), false);

        await WriteChunkAsync(
            upload,
            bytes.AsMemory(Before, chunk),
            allOrNothing,
            commit: false,
            slice: 64 * 1024,
            declaredLength: length);
        var seen = await Fixture.OpenAnotherInstance().GetAsync(upload.Id, CancellationToken.None)
            .WaitAsync(TestData.Timeout);
        var completed = await WriteChunkAsync(
            seen!, bytes.AsMemory((int)seen!.Offset), allOrNothing: true, declaredLength: length);

        Assert.Null(seen.Length);
        if (allOrNothing || chunkParts == 0)
        {
            Assert.Equal(Before, seen.Offset);
        }
        else
        {
            Assert.InRange(seen.Offset, chunkParts * Fixture.CheckpointBytes, Before + chunk);
        }

        Assert.True(completed.IsComplete);
        Assert.Equal(bytes, await ReadAsync(completed, 0, length));
    }

    [Fact]
    public async Task Chunk_that_would_pass_the_length_it_declares_is_refused_and_declares_nothing()
    {
        var upload = await WriteChunkAsync(await CreateAsync(length: null), TestData.Bytes(1000, seed: 22), false);

        await using (var writer = await Store
            .OpenChunkAsync(upload, new ChunkOptions(false, 1000, DeclaredLength: 1100), CancellationToken.None)
            .WaitAsync(TestData.Timeout))
        {
            var error = await Assert.ThrowsAsync<UploadStoreException>(
                () => writer.WriteAsync(new byte[101], CancellationToken.None).AsTask().WaitAsync(TestData.Timeout));
            Assert.Equal(UploadStoreError.LimitExceeded, error.Error);
        }

        var stored = await Store.GetAsync(upload.Id, CancellationToken.None).WaitAsync(TestData.Timeout);
        Assert.Null(stored!.Length);
        Assert.Equal(1000, stored.Offset);
    }

    /// <summary>A chunk may declare only what <see cref="IUploadStore.DeclareLengthAsync"/> would accept.</summary>
    [Theory]
    [InlineData(null, 999)]
    [InlineData(3000L, 4000)]
    public async Task Chunk_declaring_a_length_the_upload_cannot_take_is_refused_at_open(long? known, long declared)
    {
        var upload = await WriteChunkAsync(await CreateAsync(known), TestData.Bytes(1000, seed: 23), false);

        await Assert.ThrowsAsync<UploadStoreException>(
            () => Store.OpenChunkAsync(upload, new ChunkOptions(false, 1000, declared), CancellationToken.None)
                .WaitAsync(TestData.Timeout));

        var stored = await Store.GetAsync(upload.Id, CancellationToken.None).WaitAsync(TestData.Timeout);
        Assert.Equal(known, stored!.Length);
        Assert.Equal(1000, stored.Offset);
    }
}
