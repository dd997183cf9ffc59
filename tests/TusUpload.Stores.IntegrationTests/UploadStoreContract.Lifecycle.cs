using TusUpload.Protocol.Storage;

namespace TusUpload.Stores.IntegrationTests;

public abstract partial class UploadStoreContract
{
    [Fact]
    public async Task Declaring_a_deferred_length_sets_it_and_a_length_below_the_offset_is_refused()
    {
        var bytes = TestData.Bytes(700, seed: 7);
        var upload = await WriteChunkAsync(await CreateAsync(length: null), bytes.AsMemory(0, 500), false);

        var tooShort = await Assert.ThrowsAsync<UploadStoreException>(
            () => Store.DeclareLengthAsync(upload.Id, 499, CancellationToken.None).WaitAsync(TestData.Timeout));
        var declared = await Store.DeclareLengthAsync(upload.Id, 700, CancellationToken.None)
            .WaitAsync(TestData.Timeout);
        var completed = await WriteChunkAsync(declared, bytes.AsMemory(500), allOrNothing: false);

        Assert.Equal(UploadStoreError.LimitExceeded, tooShort.Error);
        Assert.Equal(700, declared.Length);
        Assert.Equal(500, declared.Offset);
        Assert.True(completed.IsComplete);
    }

    [Fact]
    public async Task Concatenation_joins_partials_in_order_including_a_repeated_partial()
    {
        var first = TestData.Bytes(70_000, seed: 8);
        var second = TestData.Bytes(1, seed: 9);
        var third = TestData.Bytes(33_333, seed: 10);
        var partials = new List<UploadInfo>();
        foreach (var bytes in new[] { first, second, third })
        {
            partials.Add(await WriteChunkAsync(await CreateAsync(bytes.Length, UploadConcat.Partial), bytes, false));
        }

        var order = new List<UploadInfo> { partials[0], partials[1], partials[0], partials[2] };
        var final = await CreateAsync(length: null, UploadConcat.Final([.. order.Select(p => p.Id)]));
        var completed = await Store.ConcatenateAsync(final, order, CancellationToken.None).WaitAsync(TestData.Timeout);

        byte[] expected = [.. first, .. second, .. first, .. third];
        var stored = await Store.GetAsync(final.Id, CancellationToken.None).WaitAsync(TestData.Timeout);
        Assert.Equal(expected.Length, completed.Length);
        Assert.True(completed.IsComplete);
        Assert.True(stored!.IsComplete);
        Assert.Equal(UploadConcatKind.Final, stored.Concat.Kind);
        Assert.Equal(order.Select(p => p.Id), stored.Concat.PartialIds);
        Assert.Equal(expected, await ReadAsync(completed, 0, expected.Length));
        Assert.Equal(first, await ReadAsync(partials[0], 0, first.Length));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(0, 1)]
    [InlineData(12_345, 1)]
    [InlineData(1000, 50_000)]
    [InlineData(99_999, 1)]
    [InlineData(0, 100_000)]
    public async Task Ranged_read_returns_exactly_the_requested_bytes(long start, long count)
    {
        var bytes = TestData.Bytes(100_000, seed: 11);
        var upload = await WriteChunkAsync(await CreateAsync(bytes.Length), bytes, allOrNothing: false);

        var read = await ReadAsync(upload, start, count);

        Assert.Equal(bytes.AsSpan((int)start, (int)count).ToArray(), read);
    }

    [Fact]
    public async Task Delete_removes_the_upload_and_repeating_it_is_harmless()
    {
        var upload = await WriteChunkAsync(await CreateAsync(10), TestData.Bytes(5, seed: 12), false);

        await Store.DeleteAsync(upload.Id, CancellationToken.None).WaitAsync(TestData.Timeout);
        await Store.DeleteAsync(upload.Id, CancellationToken.None).WaitAsync(TestData.Timeout);
        await Store.DeleteAsync(TestData.NewId(), CancellationToken.None).WaitAsync(TestData.Timeout);

        Assert.Null(await Store.GetAsync(upload.Id, CancellationToken.None).WaitAsync(TestData.Timeout));
    }

    [Fact]
    public async Task List_returns_every_stored_upload_with_its_state()
    {
        var first = await CreateAsync(10);
        var second = await WriteChunkAsync(await CreateAsync(length: null), TestData.Bytes(7, seed: 13), false);
        var deleted = await CreateAsync(10);
        await Store.DeleteAsync(deleted.Id, CancellationToken.None).WaitAsync(TestData.Timeout);

        var listed = new Dictionary<string, UploadInfo>();
        await foreach (var upload in Store.ListAsync(CancellationToken.None))
        {
            listed[upload.Id] = upload;
        }

        Assert.Equal(10, listed[first.Id].Length);
        Assert.Equal(7, listed[second.Id].Offset);
        Assert.Null(listed[second.Id].Length);
        Assert.DoesNotContain(deleted.Id, listed.Keys);
    }

    [Fact]
    public async Task Marking_completion_recorded_is_durable_and_idempotent()
    {
        var upload = await WriteChunkAsync(await CreateAsync(3), TestData.Bytes(3, seed: 14), false);

        await Store.MarkCompletionRecordedAsync(upload.Id, CancellationToken.None).WaitAsync(TestData.Timeout);
        var again = await Store.MarkCompletionRecordedAsync(upload.Id, CancellationToken.None)
            .WaitAsync(TestData.Timeout);
        var seen = await Fixture.OpenAnotherInstance().GetAsync(upload.Id, CancellationToken.None)
            .WaitAsync(TestData.Timeout);

        Assert.True(again.CompletionRecorded);
        Assert.True(seen!.CompletionRecorded);
        Assert.Equal(3, seen.Offset);
    }

    [Fact]
    public async Task Marking_completion_of_an_unknown_upload_throws_NotFound()
    {
        var error = await Assert.ThrowsAsync<UploadStoreException>(
            () => Store.MarkCompletionRecordedAsync(TestData.NewId(), CancellationToken.None)
                .WaitAsync(TestData.Timeout));

        Assert.Equal(UploadStoreError.NotFound, error.Error);
    }
}
