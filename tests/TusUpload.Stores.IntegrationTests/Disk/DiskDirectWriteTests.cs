using Microsoft.Extensions.Logging.Testing;
using TusUpload.Protocol.Storage;
using TusUpload.Store.Disk;

namespace TusUpload.Stores.IntegrationTests.Disk;

/// <summary>
/// Long chunks written past the page cache: the same bytes at the same offsets as through it, checkpoints that
/// name only bytes in the file, and a discard that leaves nothing behind. The store's folder is under the temporary
/// folder, which on the build machines is a disk file system that takes direct writes (tmpfs would not need them).
/// </summary>
public sealed class DiskDirectWriteTests : IDisposable
{
    private const int DirectWriteStarted = 2008;
    private const int DirectWriteRefused = 2009;

    private readonly string _root =
        Path.Combine(Path.GetTempPath(), $"tusupload-direct-tests-{Guid.NewGuid():N}");

    private readonly FakeLogger<DiskUploadStore> _logger = new();

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task A_long_chunk_from_an_unaligned_offset_is_stored_byte_for_byte_past_the_page_cache()
    {
        var store = CreateStore(directWrites: true);
        var bytes = TestData.Bytes(1000 + (13 * 1024 * 1024) + 123, seed: 70);
        var upload = TestData.Upload(length: bytes.Length);
        await store.CreateAsync(upload, CancellationToken.None).WaitAsync(TestData.Timeout);
        await WriteChunkAsync(store, upload, bytes.AsMemory(0, 1000), commit: true);

        var completed = await WriteChunkAsync(store, upload, bytes.AsMemory(1000), commit: true);

        Assert.Equal(bytes.Length, completed!.Offset);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(DataPath(store, upload.Id)).WaitAsync(TestData.Timeout));
        var started = Assert.Single(_logger.Collector.GetSnapshot(), line => line.Id.Id == DirectWriteStarted);
        Assert.Equal(upload.Id, started.GetStructuredStateValue("UploadId"));

        // The 64th piece passes 4 MiB; it starts at 1000 + 63 × 65537 and direct writes at the next 4 KiB boundary.
        Assert.Equal("4132864", started.GetStructuredStateValue("Offset"));
        Assert.DoesNotContain(_logger.Collector.GetSnapshot(), line => line.Id.Id == DirectWriteRefused);
    }

    [Fact]
    public async Task A_discarded_direct_chunk_keeps_exactly_its_checkpointed_bytes()
    {
        var store = CreateStore(directWrites: true);
        var bytes = TestData.Bytes(16 * 1024 * 1024, seed: 71);
        var upload = TestData.Upload(length: 64 * 1024 * 1024);
        await store.CreateAsync(upload, CancellationToken.None).WaitAsync(TestData.Timeout);

        await WriteChunkAsync(store, upload, bytes, commit: false);

        // Checkpoints past the first 4 MiB record what the direct writes finished, never what was only staged.
        var durable = (await store.GetAsync(upload.Id, CancellationToken.None).WaitAsync(TestData.Timeout))!;
        Assert.InRange(durable.Offset, (4 * 1024 * 1024) + 1, bytes.Length);
        var stored = await File.ReadAllBytesAsync(DataPath(store, upload.Id)).WaitAsync(TestData.Timeout);
        Assert.Equal(durable.Offset, stored.Length);
        Assert.Equal(bytes.AsSpan(0, stored.Length).ToArray(), stored);
        Assert.Contains(_logger.Collector.GetSnapshot(), line => line.Id.Id == DirectWriteStarted);
    }

    [Fact]
    public async Task An_all_or_nothing_direct_chunk_that_is_not_committed_leaves_no_trace()
    {
        var store = CreateStore(directWrites: true);
        var bytes = TestData.Bytes(9 * 1024 * 1024, seed: 72);
        var upload = TestData.Upload(length: bytes.Length);
        await store.CreateAsync(upload, CancellationToken.None).WaitAsync(TestData.Timeout);

        await WriteChunkAsync(store, upload, bytes, commit: false, allOrNothing: true);

        Assert.Equal(0, (await store.GetAsync(upload.Id, CancellationToken.None).WaitAsync(TestData.Timeout))!.Offset);
        Assert.Equal(0, new FileInfo(DataPath(store, upload.Id)).Length);
        Assert.Contains(_logger.Collector.GetSnapshot(), line => line.Id.Id == DirectWriteStarted);
    }

    [Fact]
    public async Task With_direct_writes_off_a_long_chunk_goes_through_the_page_cache_only()
    {
        var store = CreateStore(directWrites: false);
        var bytes = TestData.Bytes(9 * 1024 * 1024, seed: 73);
        var upload = TestData.Upload(length: bytes.Length);
        await store.CreateAsync(upload, CancellationToken.None).WaitAsync(TestData.Timeout);

        var completed = await WriteChunkAsync(store, upload, bytes, commit: true);

        Assert.Equal(bytes.Length, completed!.Offset);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(DataPath(store, upload.Id)).WaitAsync(TestData.Timeout));
        Assert.DoesNotContain(_logger.Collector.GetSnapshot(), line => line.Id.Id == DirectWriteStarted);
    }

    [Fact]
    public async Task A_chunk_whose_first_4_MiB_came_slowly_stays_in_the_page_cache()
    {
        var store = CreateStore(directWrites: true, slowestDirectSender: TimeSpan.FromMilliseconds(200));
        var bytes = TestData.Bytes(9 * 1024 * 1024, seed: 74);
        var upload = TestData.Upload(length: bytes.Length);
        await store.CreateAsync(upload, CancellationToken.None).WaitAsync(TestData.Timeout);

        var completed = await WriteChunkAsync(
            store,
            upload,
            bytes,
            commit: true,
            pause: TimeSpan.FromMilliseconds(300));

        Assert.Equal(bytes.Length, completed!.Offset);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(DataPath(store, upload.Id)).WaitAsync(TestData.Timeout));
        Assert.DoesNotContain(_logger.Collector.GetSnapshot(), line => line.Id.Id == DirectWriteStarted);
    }

    private static async Task<UploadInfo?> WriteChunkAsync(
        DiskUploadStore store,
        UploadInfo upload,
        ReadOnlyMemory<byte> bytes,
        bool commit,
        bool allOrNothing = false,
        TimeSpan pause = default)
    {
        var options = new ChunkOptions(allOrNothing, bytes.Length);
        await using var writer = await store.OpenChunkAsync(upload, options, CancellationToken.None)
            .WaitAsync(TestData.Timeout);

        // Odd-sized pieces, as a network delivers them, so that buffer edges fall anywhere.
        for (var at = 0; at < bytes.Length;)
        {
            if (at == 0 && pause > TimeSpan.Zero)
            {
                // A sender that is slow to start: the first piece comes after the pause.
                await Task.Delay(pause);
            }

            var piece = Math.Min(65_537, bytes.Length - at);
            await writer.WriteAsync(bytes.Slice(at, piece), CancellationToken.None).AsTask()
                .WaitAsync(TestData.Timeout);
            at += piece;
        }

        return commit ? await writer.CommitAsync(CancellationToken.None).WaitAsync(TestData.Timeout) : null;
    }

    private static string DataPath(DiskUploadStore store, string uploadId) =>
        Path.Combine(store.RootPath, uploadId + ".data");

    // Checkpoints every 2 MiB: two before direct writes begin, several after. The sender limit is long because
    // this machine may be loaded; the limit's own test sets it short.
    private DiskUploadStore CreateStore(bool directWrites, TimeSpan? slowestDirectSender = null) => new(
        Microsoft.Extensions.Options.Options.Create(new DiskStoreOptions
        {
            Path = _root,
            CheckpointBytes = 2 * 1024 * 1024,
            DirectWrites = directWrites,
        }),
        _logger)
    {
        SlowestDirectSender = slowestDirectSender ?? TimeSpan.FromMinutes(1),
    };
}
