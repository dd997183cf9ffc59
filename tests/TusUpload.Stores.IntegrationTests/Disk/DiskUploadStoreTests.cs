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

        var options = new ChunkOptions(true, 2_000_000);
        await using (var writer = await _store.OpenChunkAsync(upload, options, CancellationToken.None)
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
        var options = new ChunkOptions(false, 3000);
        await using (var writer = await _store.OpenChunkAsync(upload, options, CancellationToken.None)
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
        var options = new ChunkOptions(false, 1_000_000);
        await using (var writer = await _store.OpenChunkAsync(upload, options, CancellationToken.None)
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
    public async Task Concatenation_that_fails_part_way_leaves_the_finals_data_file_empty_at_offset_0()
    {
        // A full disk cannot be made part-way without root; a partial whose data went short fails the copy at the
        // same place, after the first partial's bytes were written.
        var first = await CompletePartialAsync(TestData.Bytes(300_000, seed: 44));
        var second = await CompletePartialAsync(TestData.Bytes(1000, seed: 45));
        File.WriteAllBytes(DataPath(second.Id), TestData.Bytes(10, seed: 46));
        var final = TestData.Upload(length: null, UploadConcat.Final([first.Id, second.Id]));
        await _store.CreateAsync(final, CancellationToken.None).WaitAsync(TestData.Timeout);

        await Assert.ThrowsAsync<UploadStoreException>(
            () => _store.ConcatenateAsync(final, [first, second], CancellationToken.None).WaitAsync(TestData.Timeout));

        var stored = await _store.GetAsync(final.Id, CancellationToken.None).WaitAsync(TestData.Timeout);
        Assert.Equal(0, stored!.Offset);
        Assert.Equal(0, new FileInfo(DataPath(final.Id)).Length);
    }

    [Fact]
    public async Task Concatenation_on_a_full_disk_throws_Unavailable_even_when_its_bytes_cannot_be_discarded()
    {
        // /dev/full refuses every write with ENOSPC and cannot be truncated, so the discard fails as well.
        Assert.True(File.Exists("/dev/full"), "This test needs Linux's /dev/full.");
        var partial = await CompletePartialAsync(TestData.Bytes(5000, seed: 47));
        var final = TestData.Upload(length: null, UploadConcat.Final([partial.Id]));
        await _store.CreateAsync(final, CancellationToken.None).WaitAsync(TestData.Timeout);
        File.Delete(DataPath(final.Id));
        File.CreateSymbolicLink(DataPath(final.Id), "/dev/full");

        var error = await Assert.ThrowsAsync<UploadStoreException>(
            () => _store.ConcatenateAsync(final, [partial], CancellationToken.None).WaitAsync(TestData.Timeout));

        var stored = await _store.GetAsync(final.Id, CancellationToken.None).WaitAsync(TestData.Timeout);
        Assert.Equal(UploadStoreError.Unavailable, error.Error);
        Assert.Contains("full", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, stored!.Offset);
    }

    [Fact]
    public async Task Listing_skips_a_damaged_info_file_and_one_whose_creation_never_finished()
    {
        var good = TestData.Upload(length: 5);
        await _store.CreateAsync(good, CancellationToken.None).WaitAsync(TestData.Timeout);
        var damagedId = TestData.NewId();
        var damaged = new byte[2 * UploadInfoFile.PageBytes];
        InfoSlot.Encode(damaged, 1, 0, "{\"version\":1}"u8);
        InfoSlot.Encode(damaged.AsSpan(UploadInfoFile.PageBytes), 2, 0, "{\"version\":1}"u8);
        damaged[InfoSlot.HeaderBytes] ^= 0xFF;
        damaged[UploadInfoFile.PageBytes + InfoSlot.HeaderBytes] ^= 0xFF;
        await File.WriteAllBytesAsync(InfoPath(damagedId), damaged).WaitAsync(TestData.Timeout);
        var unfinishedId = TestData.NewId();
        await File.WriteAllTextAsync(InfoPath(unfinishedId), "TUSI").WaitAsync(TestData.Timeout);

        var ids = new List<string>();
        await foreach (var upload in _store.ListAsync(CancellationToken.None))
        {
            ids.Add(upload.Id);
        }

        Assert.Contains(good.Id, ids);
        Assert.DoesNotContain(damagedId, ids);
        Assert.DoesNotContain(unfinishedId, ids);
        var damagedRead = await Assert.ThrowsAsync<UploadStoreException>(
            () => _store.GetAsync(damagedId, CancellationToken.None));
        Assert.Equal(UploadStoreError.Damaged, damagedRead.Error);
        Assert.Null(await _store.GetAsync(unfinishedId, CancellationToken.None).WaitAsync(TestData.Timeout));
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

    /// <summary>
    /// A creation that fails leaves no file it made. A folder where a file must go makes its creation fail with a
    /// file-system error (an fdatasync failure cannot be provoked here; it takes the same way out): an I/O error at
    /// the info path is the device's (503), a data path that cannot be opened is not (access denied, 500). An
    /// existing upload's files are its own and stay.
    /// </summary>
    [Theory]
    [InlineData("folder at the info path", UploadStoreError.Unavailable)]
    [InlineData("folder at the data path", UploadStoreError.Unknown)]
    [InlineData("existing upload", UploadStoreError.AlreadyExists)]
    public async Task Failed_creation_leaves_no_data_file_it_made(string obstacle, UploadStoreError expected)
    {
        var upload = TestData.Upload(length: 10);
        var existing = TestData.Bytes(3, seed: 43);
        switch (obstacle)
        {
            case "folder at the info path":
                Directory.CreateDirectory(InfoPath(upload.Id));
                break;
            case "folder at the data path":
                Directory.CreateDirectory(DataPath(upload.Id));
                break;
            default:
                await _store.CreateAsync(upload, CancellationToken.None).WaitAsync(TestData.Timeout);
                await CommitAsync(upload, existing);
                break;
        }

        var error = await Assert.ThrowsAsync<UploadStoreException>(
            () => _store.CreateAsync(upload, CancellationToken.None).WaitAsync(TestData.Timeout));

        Assert.Equal(expected, error.Error);
        switch (obstacle)
        {
            case "folder at the info path":
                Assert.False(Path.Exists(DataPath(upload.Id)));
                break;
            case "folder at the data path":
                Assert.False(Path.Exists(InfoPath(upload.Id)));
                Assert.True(Directory.Exists(DataPath(upload.Id)));
                break;
            default:
                Assert.Equal(existing, await File.ReadAllBytesAsync(DataPath(upload.Id)));
                Assert.Equal(10, (await ReadInfoFileAsync(upload.Id)).Upload.Length);
                break;
        }
    }

    [Fact]
    public async Task Info_file_keeps_the_new_state_in_the_older_of_two_page_aligned_slots()
    {
        var bytes = TestData.Bytes(10, seed: 40);
        var upload = TestData.Upload(length: bytes.Length);
        await _store.CreateAsync(upload, CancellationToken.None).WaitAsync(TestData.Timeout);
        var created = await ReadInfoFileAsync(upload.Id);

        await CommitAsync(upload, bytes);
        var committed = await ReadInfoFileAsync(upload.Id);

        Assert.Equal(2 * UploadInfoFile.PageBytes, new FileInfo(InfoPath(upload.Id)).Length);
        Assert.Equal((0, 1L, 0L), (created.Slot, created.Sequence, created.Upload.Offset));
        Assert.Equal((1, 2L, 10L), (committed.Slot, committed.Sequence, committed.Upload.Offset));
        Assert.False(File.Exists(InfoPath(upload.Id) + ".tmp"));
    }

    [Fact]
    public async Task A_torn_newest_slot_leaves_the_previous_durable_state_readable()
    {
        var bytes = TestData.Bytes(10, seed: 41);
        var upload = TestData.Upload(length: bytes.Length);
        await _store.CreateAsync(upload, CancellationToken.None).WaitAsync(TestData.Timeout);
        await CommitAsync(upload, bytes);
        var newest = await ReadInfoFileAsync(upload.Id);

        var file = await File.ReadAllBytesAsync(InfoPath(upload.Id)).WaitAsync(TestData.Timeout);
        file[(newest.Slot * newest.SlotBytes) + InfoSlot.HeaderBytes + 3] ^= 0x5A;
        await File.WriteAllBytesAsync(InfoPath(upload.Id), file).WaitAsync(TestData.Timeout);

        var survivor = await _store.GetAsync(upload.Id, CancellationToken.None).WaitAsync(TestData.Timeout);
        Assert.Equal(0, survivor!.Offset);
    }

    [Theory]
    [InlineData("offset past length")]
    [InlineData("other id")]
    [InlineData("not json")]
    public async Task A_newest_slot_with_a_valid_checksum_but_impossible_state_gives_way_to_the_other(string forgery)
    {
        var upload = TestData.Upload(length: 10);
        await _store.CreateAsync(upload, CancellationToken.None).WaitAsync(TestData.Timeout);
        var file = await File.ReadAllBytesAsync(InfoPath(upload.Id)).WaitAsync(TestData.Timeout);
        var payload = forgery switch
        {
            "offset past length" => UploadInfoFile.Serialize(upload with { Offset = 500 }),
            "other id" => UploadInfoFile.Serialize(upload with { Id = TestData.NewId(), Offset = 5 }),
            _ => "{\"version\":"u8.ToArray(),
        };
        InfoSlot.Encode(file.AsSpan(file.Length / 2), 2, 0, payload);
        await File.WriteAllBytesAsync(InfoPath(upload.Id), file).WaitAsync(TestData.Timeout);

        var stored = await _store.GetAsync(upload.Id, CancellationToken.None).WaitAsync(TestData.Timeout);

        Assert.Equal((upload.Id, 0L, 10L), (stored!.Id, stored.Offset, stored.Length));
    }

    [Theory]
    [InlineData((64L << 20) + (2 * UploadInfoFile.PageBytes))]
    [InlineData(4L << 30)]
    public async Task An_info_file_longer_than_the_store_writes_is_damaged_unread_and_can_be_deleted(long fileBytes)
    {
        // Sparse: the test costs no disk, and a read that takes the whole file shows in the allocated bytes.
        var upload = TestData.Upload(length: 10);
        await _store.CreateAsync(upload, CancellationToken.None).WaitAsync(TestData.Timeout);
        using (var info = File.OpenHandle(InfoPath(upload.Id), FileMode.Open, FileAccess.Write))
        {
            RandomAccess.SetLength(info, fileBytes);
        }

        // The disk store reads synchronously, so the read's allocations are all on this thread.
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var failure = await Assert.ThrowsAsync<UploadStoreException>(
            () => _store.GetAsync(upload.Id, CancellationToken.None));
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        await _store.DeleteAsync(upload.Id, CancellationToken.None).WaitAsync(TestData.Timeout);

        Assert.Equal(UploadStoreError.Damaged, failure.Error);
        Assert.InRange(allocated, 0, 1 << 20);
        Assert.False(File.Exists(InfoPath(upload.Id)));
        Assert.False(File.Exists(DataPath(upload.Id)));
    }

    [Fact]
    public async Task A_state_longer_than_an_info_file_may_be_is_refused_at_creation_and_leaves_no_file()
    {
        var upload = TestData.Upload(length: 10) with
        {
            Metadata = "filename " + new string('A', UploadInfoFile.MaxFileBytes / 2),
        };

        var failure = await Assert.ThrowsAsync<UploadStoreException>(
            () => _store.CreateAsync(upload, CancellationToken.None).WaitAsync(TestData.Timeout));

        Assert.Equal(UploadStoreError.LimitExceeded, failure.Error);
        Assert.False(File.Exists(InfoPath(upload.Id)));
        Assert.False(File.Exists(DataPath(upload.Id)));
    }

    [Fact]
    public void A_write_not_yet_synced_is_hidden_from_readers_until_it_is()
    {
        var older = TestData.Upload(length: 10);
        var newer = older with { Offset = 10 };
        var file = new byte[2 * UploadInfoFile.PageBytes];
        InfoSlot.Encode(file, 1, 0, UploadInfoFile.Serialize(older));
        InfoSlot.Encode(file.AsSpan(UploadInfoFile.PageBytes), 2, 0, UploadInfoFile.Serialize(newer));

        var whileSyncing = UploadInfoFile.Decode(file, "test", hiddenSequence: 2);
        var afterwards = UploadInfoFile.Decode(file, "test", hiddenSequence: 0);

        Assert.Equal(0, whileSyncing!.Value.Upload.Offset);
        Assert.Equal(10, afterwards!.Value.Upload.Offset);
    }

    [Fact]
    public async Task The_completion_flag_is_written_without_sync_and_marked_so()
    {
        var bytes = TestData.Bytes(4, seed: 42);
        var upload = TestData.Upload(length: bytes.Length);
        await _store.CreateAsync(upload, CancellationToken.None).WaitAsync(TestData.Timeout);
        await CommitAsync(upload, bytes);

        await _store.MarkCompletionRecordedAsync(upload.Id, CancellationToken.None).WaitAsync(TestData.Timeout);
        var marked = await ReadInfoFileAsync(upload.Id);

        Assert.True(marked.Upload.CompletionRecorded);
        Assert.True(marked.Unsynced);
        Assert.Equal(4, marked.Upload.Offset);
    }

    private async Task CommitAsync(UploadInfo upload, byte[] bytes)
    {
        await using var writer = await _store
            .OpenChunkAsync(upload, new ChunkOptions(false, bytes.Length), CancellationToken.None)
            .WaitAsync(TestData.Timeout);
        await writer.WriteAsync(bytes, CancellationToken.None).AsTask().WaitAsync(TestData.Timeout);
        await writer.CommitAsync(CancellationToken.None).WaitAsync(TestData.Timeout);
    }

    private async Task<InfoRecord> ReadInfoFileAsync(string uploadId)
    {
        var file = await File.ReadAllBytesAsync(InfoPath(uploadId)).WaitAsync(TestData.Timeout);
        return UploadInfoFile.Decode(file, InfoPath(uploadId), hiddenSequence: 0)!.Value;
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

    private async Task<UploadInfo> CompletePartialAsync(byte[] bytes)
    {
        var partial = TestData.Upload(bytes.Length, UploadConcat.Partial);
        await _store.CreateAsync(partial, CancellationToken.None).WaitAsync(TestData.Timeout);

        await using var writer = await _store.OpenChunkAsync(
            partial,
            new ChunkOptions(false, bytes.Length),
            CancellationToken.None).WaitAsync(TestData.Timeout);
        await writer.WriteAsync(bytes, CancellationToken.None).AsTask().WaitAsync(TestData.Timeout);
        return await writer.CommitAsync(CancellationToken.None).WaitAsync(TestData.Timeout);
    }

    private string DataPath(string uploadId) => Path.Combine(_store.RootPath, uploadId + ".data");

    private string InfoPath(string uploadId) => Path.Combine(_store.RootPath, uploadId + DiskStoreLayout.InfoSuffix);
}
