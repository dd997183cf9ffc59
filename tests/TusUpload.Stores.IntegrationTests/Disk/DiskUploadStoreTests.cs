using Microsoft.Extensions.Options;
using TusUpload.Protocol.Storage;
using TusUpload.Store.Disk;

namespace TusUpload.Stores.IntegrationTests.Disk;

/// <summary>What only the disk store promises: its file layout, its id checks and its start-up validation.</summary>
public sealed class DiskUploadStoreTests(DiskStoreFixture fixture) : IClassFixture<DiskStoreFixture>
{
    private readonly DiskUploadStore _store = fixture.DiskStore;

    [Fact]
    public async Task Discarded_all_or_nothing_chunk_leaves_the_data_file_at_the_offset()
    {
        var upload = TestData.Upload(length: 2_000_000);
        await _store.CreateAsync(upload, CancellationToken.None).WaitAsync(TestData.Timeout);

        await using (var writer = await _store.OpenChunkAsync(upload, new ChunkOptions(true, 2_000_000), CancellationToken.None)
            .WaitAsync(TestData.Timeout))
        {
            await writer.WriteAsync(TestData.Bytes(1_000_000, seed: 30), CancellationToken.None).AsTask()
                .WaitAsync(TestData.Timeout);
        }

        Assert.Equal(0, new FileInfo(DataPath(upload.Id)).Length);
        Assert.Equal(0, (await _store.GetAsync(upload.Id, CancellationToken.None).WaitAsync(TestData.Timeout))!.Offset);
    }

    [Fact]
    public async Task Bytes_a_crash_left_past_the_offset_are_truncated_before_the_next_chunk()
    {
        var bytes = TestData.Bytes(3000, seed: 31);
        var upload = TestData.Upload(length: bytes.Length);
        await _store.CreateAsync(upload, CancellationToken.None).WaitAsync(TestData.Timeout);
        await File.WriteAllBytesAsync(DataPath(upload.Id), TestData.Bytes(777, seed: 97)).WaitAsync(TestData.Timeout);

        UploadInfo completed;
        await using (var writer = await _store.OpenChunkAsync(upload, new ChunkOptions(false, 3000), CancellationToken.None)
            .WaitAsync(TestData.Timeout))
        {
            await writer.WriteAsync(bytes, CancellationToken.None).AsTask().WaitAsync(TestData.Timeout);
            completed = await writer.CommitAsync(CancellationToken.None).WaitAsync(TestData.Timeout);
        }

        Assert.Equal(bytes.Length, completed.Offset);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(DataPath(upload.Id)).WaitAsync(TestData.Timeout));
    }

    [Fact]
    public async Task Write_on_a_full_disk_throws_Unavailable_and_leaves_the_offset_unchanged()
    {
        // /dev/full answers every write with ENOSPC, as a full disk would.
        Assert.True(File.Exists("/dev/full"), "This test needs Linux's /dev/full.");
        var upload = TestData.Upload(length: 1_000_000);
        await _store.CreateAsync(upload, CancellationToken.None).WaitAsync(TestData.Timeout);
        File.Delete(DataPath(upload.Id));
        File.CreateSymbolicLink(DataPath(upload.Id), "/dev/full");

        UploadStoreException error;
        await using (var writer = await _store.OpenChunkAsync(upload, new ChunkOptions(false, 1_000_000), CancellationToken.None)
            .WaitAsync(TestData.Timeout))
        {
            error = await Assert.ThrowsAsync<UploadStoreException>(
                () => writer.WriteAsync(new byte[4096], CancellationToken.None).AsTask().WaitAsync(TestData.Timeout));
        }

        var stored = await _store.GetAsync(upload.Id, CancellationToken.None).WaitAsync(TestData.Timeout);
        Assert.Equal(UploadStoreError.Unavailable, error.Error);
        Assert.Contains("full", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, stored!.Offset);
    }

    [Fact]
    public async Task Listing_skips_a_corrupt_info_file_and_returns_the_others()
    {
        var good = TestData.Upload(length: 5);
        await _store.CreateAsync(good, CancellationToken.None).WaitAsync(TestData.Timeout);
        var corruptId = TestData.NewId();
        await File.WriteAllTextAsync(Path.Combine(_store.RootPath, corruptId + ".info.json"), "{\"id\":\"")
            .WaitAsync(TestData.Timeout);

        var ids = new List<string>();
        await foreach (var upload in _store.ListAsync(CancellationToken.None))
        {
            ids.Add(upload.Id);
        }

        Assert.Contains(good.Id, ids);
        Assert.DoesNotContain(corruptId, ids);
    }

    [Theory]
    [InlineData("../etc/passwd")]
    [InlineData("ABCDEF")]
    [InlineData("abc/def")]
    [InlineData("abc.info")]
    [InlineData("")]
    public async Task Ids_that_are_not_lower_case_hex_never_reach_the_file_system(string uploadId)
    {
        var filesBefore = Directory.GetFileSystemEntries(_store.RootPath).Length;

        var stored = await _store.GetAsync(uploadId, CancellationToken.None).WaitAsync(TestData.Timeout);
        await _store.DeleteAsync(uploadId, CancellationToken.None).WaitAsync(TestData.Timeout);
        var create = await Assert.ThrowsAsync<ArgumentException>(
            () => _store.CreateAsync(TestData.Upload(1) with { Id = uploadId }, CancellationToken.None));

        Assert.Null(stored);
        Assert.Contains("hex", create.Message, StringComparison.Ordinal);
        Assert.Equal(filesBefore, Directory.GetFileSystemEntries(_store.RootPath).Length);
    }

    [Fact]
    public async Task Info_file_is_small_json_with_the_durable_offset()
    {
        var upload = TestData.Upload(length: 10);
        await _store.CreateAsync(upload, CancellationToken.None).WaitAsync(TestData.Timeout);

        var json = await File.ReadAllTextAsync(Path.Combine(_store.RootPath, upload.Id + ".info.json"))
            .WaitAsync(TestData.Timeout);

        Assert.Contains("\"offset\":0", json, StringComparison.Ordinal);
        Assert.Contains($"\"id\":\"{upload.Id}\"", json, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_store.RootPath, upload.Id + ".info.json.tmp")));
    }

    [Fact]
    public void Validation_fails_for_a_path_that_cannot_be_a_folder_and_names_the_setting()
    {
        var file = Path.Combine(_store.RootPath, "not-a-folder");
        File.WriteAllText(file, "x");
        var options = new DiskStoreOptions { Path = Path.Combine(file, "uploads") };

        var result = new DiskStoreOptionsValidator().Validate(Options.DefaultName, options);

        Assert.True(result.Failed);
        Assert.Contains("Store:Disk:Path", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validation_fails_for_a_tiny_checkpoint_size_and_names_the_setting()
    {
        var options = new DiskStoreOptions { Path = _store.RootPath, CheckpointBytes = 10 };

        var result = new DiskStoreOptionsValidator().Validate(Options.DefaultName, options);

        Assert.True(result.Failed);
        Assert.Contains("Store:Disk:CheckpointBytes", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validation_accepts_the_defaults_in_a_writable_folder()
    {
        var options = new DiskStoreOptions { Path = Path.Combine(_store.RootPath, "nested", "uploads") };

        var result = new DiskStoreOptionsValidator().Validate(Options.DefaultName, options);

        Assert.True(result.Succeeded, result.FailureMessage);
        Assert.True(Directory.Exists(options.Path));
    }

    private string DataPath(string uploadId) => Path.Combine(_store.RootPath, uploadId + ".data");
}
