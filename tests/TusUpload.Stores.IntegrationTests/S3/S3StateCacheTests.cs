using System.Text.Json;
using TusUpload.Store.S3;

namespace TusUpload.Stores.IntegrationTests.S3;

/// <summary>
/// The per-process copy of the newest info object spares reads right after a read or write under the lock, and is
/// never trusted where another instance may have written since.
/// </summary>
public sealed class S3StateCacheTests(S3StoreFixture fixture) : IClassFixture<S3StoreFixture>
{
    private const int MiB = 1024 * 1024;

    private static readonly JsonSerializerOptions CamelCase = new(JsonSerializerDefaults.Web);

    [Fact]
    public void A_late_answer_with_an_older_revision_never_replaces_a_newer_copy()
    {
        using var cache = new S3StateCache();

        cache.Remember("u", 5, Json(revision: 5, length: 50), "\"e5-50\"");
        cache.Remember("u", 4, Json(revision: 4, length: 40), "\"e4-40\"");
        var kept = cache.Recall("u");
        cache.Remember("u", 6, Json(revision: 6, length: 60), "\"e6-60\"");
        var newer = cache.Recall("u");
        cache.Forget("u");

        Assert.Equal(50, kept!.Length);
        Assert.Equal("\"e5-50\"", kept.ETag);
        Assert.Equal(60, newer!.Length);
        Assert.Equal("\"e6-60\"", newer.ETag);
        Assert.Null(cache.Recall("u"));
    }

    [Fact]
    public void A_copy_without_a_revision_from_an_older_writer_always_replaces_the_cached_one()
    {
        using var cache = new S3StateCache();

        cache.Remember("u", 5, Json(revision: 5, length: 50), "\"e5-50\"");
        cache.Remember("u", 0, Json(revision: 0, length: 70), "\"e0-70\"");

        Assert.Equal(70, cache.Recall("u")!.Length);
    }

    [Fact]
    public void Every_recall_is_a_copy_of_its_own()
    {
        using var cache = new S3StateCache();
        cache.Remember("u", 1, Json(revision: 1, length: 10), "\"e1-10\"");

        var first = cache.Recall("u")!;
        first.Length = 99;

        Assert.Equal(10, cache.Recall("u")!.Length);
    }

    [Fact]
    public async Task Every_write_of_the_info_counts_up_its_revision()
    {
        var upload = await S3Chunks.CreateAsync(fixture.Store, 2 * MiB);
        var created = await S3Chunks.StateAsync(fixture, upload.Id);

        var half = await S3Chunks.WriteAsync(fixture.Store, upload, TestData.Bytes(MiB, seed: 51));
        var afterChunk = await S3Chunks.StateAsync(fixture, upload.Id);

        Assert.Equal(1, created.Revision);
        Assert.Equal(2, afterChunk.Revision);
        Assert.Equal(MiB, half.Offset);
    }

    [Fact]
    public async Task Chunk_handed_a_newer_offset_than_the_cached_copy_reads_the_info_again()
    {
        var bytes = TestData.Bytes(3 * MiB, seed: 52);
        var upload = await S3Chunks.CreateAsync(fixture.Store, bytes.Length);
        var first = fixture.OpenAnotherInstance();
        var second = fixture.OpenAnotherInstance();
        await S3Chunks.GetAsync(first, upload.Id);

        // The second instance writes while the first still holds its copy at offset 0.
        var moved = await S3Chunks.WriteAsync(second, upload, bytes.AsMemory(0, MiB));
        var completed = await S3Chunks.WriteAsync(first, moved, bytes.AsMemory(MiB));

        Assert.True(completed.IsComplete);
        Assert.Equal(bytes, await S3Chunks.ReadAllAsync(second, completed));
    }

    [Fact]
    public async Task Completion_mark_on_an_instance_whose_copy_is_incomplete_reads_the_info_again()
    {
        var bytes = TestData.Bytes(MiB, seed: 53);
        var upload = await S3Chunks.CreateAsync(fixture.Store, bytes.Length);
        var first = fixture.OpenAnotherInstance();
        var second = fixture.OpenAnotherInstance();
        await S3Chunks.GetAsync(first, upload.Id);
        await S3Chunks.WriteAsync(second, upload, bytes);

        var marked = await first.MarkCompletionRecordedAsync(upload.Id, CancellationToken.None)
            .WaitAsync(TestData.Timeout);
        var seen = await S3Chunks.GetAsync(second, upload.Id);

        Assert.True(marked.IsComplete);
        Assert.True(seen.CompletionRecorded);
        Assert.Equal(bytes, await S3Chunks.ReadAllAsync(first, seen));
    }

    [Fact]
    public async Task Terminated_upload_is_forgotten_so_it_is_not_found_afterwards()
    {
        var upload = await S3Chunks.CreateAsync(fixture.Store, 10);

        await fixture.Store.DeleteAsync(upload.Id, CancellationToken.None).WaitAsync(TestData.Timeout);

        Assert.Null(fixture.Bucket.States.Recall(upload.Id));
        Assert.Null(await fixture.Store.GetAsync(upload.Id, CancellationToken.None).WaitAsync(TestData.Timeout));
    }

    private static byte[] Json(long revision, long length) => JsonSerializer.SerializeToUtf8Bytes(
        new S3UploadState { Id = "u", Revision = revision, Length = length },
        CamelCase);
}
