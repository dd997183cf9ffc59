using TusUpload.Protocol.Storage;
using TusUpload.Store.Disk;

namespace TusUpload.Stores.IntegrationTests.Disk;

/// <summary>
/// Deleting a blob syncs its folder before it is reported, as deleting an upload does, so that a crash after the
/// ledger's commit cannot bring the blob back with no row pointing at it. What a crash keeps cannot be observed
/// here; that the deletion waits for a device wait after the file is gone can: with every device thread held, it
/// cannot finish.
/// </summary>
[Collection(DeviceThreadsCollection.Name)]
public sealed class DiskBlobDeletionTests(DiskStoreFixture fixture) : IClassFixture<DiskStoreFixture>
{
    [Fact]
    public async Task Deleting_a_blob_removes_its_file_and_is_reported_only_after_a_device_wait()
    {
        var bytes = TestData.Bytes(4000, seed: 41);
        var sha256 = TestData.Sha256(bytes);
        await fixture.Blobs.PromoteAsync(await StoreAsync(bytes), sha256, CancellationToken.None)
            .WaitAsync(TestData.Timeout);
        var blobPath = Path.Combine(fixture.Root, "blobs", sha256[..2], sha256);
        Assert.True(File.Exists(blobPath), "the promotion made no blob file");

        using var release = new ManualResetEventSlim();
        var holding = 0;
        var holds = Enumerable.Range(0, DeviceWaits.Threads).Select(_ => DeviceWaits.RunAsync(() =>
        {
            Interlocked.Increment(ref holding);
            release.Wait(TestData.Timeout);
        })).ToList();
        bool allHeld;
        bool reportedWhileHeld;
        bool goneWhileHeld;
        Task deletion;
        try
        {
            // Other tests' device waits are short, so all sixteen threads soon hold ours.
            allHeld = await EventuallyAsync(() => Volatile.Read(ref holding) == DeviceWaits.Threads);
            deletion = fixture.Blobs.DeleteAsync(sha256, CancellationToken.None);
            reportedWhileHeld = deletion.IsCompleted;
            goneWhileHeld = !File.Exists(blobPath);
        }
        finally
        {
            release.Set();
        }

        await Task.WhenAll(holds).WaitAsync(TestData.Timeout);
        await deletion.WaitAsync(TestData.Timeout);

        Assert.True(allHeld, "the device threads were never all held by this test");
        Assert.True(goneWhileHeld, "the blob file was still there while its folder's sync waited");
        Assert.False(reportedWhileHeld, "the deletion was reported with no device wait, so its folder was not synced");
        Assert.False(await fixture.Blobs.ExistsAsync(sha256, CancellationToken.None).WaitAsync(TestData.Timeout));
    }

    [Fact]
    public async Task Deleting_a_blob_of_a_fan_out_folder_never_made_is_harmless()
    {
        var sha256 = new string('f', 62) + "0e";
        var folder = Path.Combine(fixture.Root, "blobs", sha256[..2]);
        Assert.False(Directory.Exists(folder), "a blob of that folder exists already");

        await fixture.Blobs.DeleteAsync(sha256, CancellationToken.None).WaitAsync(TestData.Timeout);

        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public async Task A_blob_that_cannot_be_deleted_is_reported_as_a_blob_not_as_an_upload()
    {
        // A folder with content where the blob file belongs: damage from outside that no delete removes.
        var sha256 = new string('e', 62) + "0f";
        var blobPath = Path.Combine(fixture.Root, "blobs", sha256[..2], sha256);
        Directory.CreateDirectory(blobPath);
        await File.WriteAllTextAsync(Path.Combine(blobPath, "kept"), "not the store's");

        var failure = await Assert.ThrowsAsync<UploadStoreException>(
            () => fixture.Blobs.DeleteAsync(sha256, CancellationToken.None).WaitAsync(TestData.Timeout));

        Assert.Contains($"while deleting blob {sha256}.", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("upload", failure.Message, StringComparison.Ordinal);
        Directory.Delete(blobPath, recursive: true);
    }

    private async Task<UploadInfo> StoreAsync(byte[] bytes)
    {
        var upload = TestData.Upload(length: bytes.Length);
        await fixture.Store.CreateAsync(upload, CancellationToken.None).WaitAsync(TestData.Timeout);
        await using var writer = await fixture.Store
            .OpenChunkAsync(upload, new ChunkOptions(false, bytes.Length), CancellationToken.None)
            .WaitAsync(TestData.Timeout);
        await writer.WriteAsync(bytes, CancellationToken.None).AsTask().WaitAsync(TestData.Timeout);
        return await writer.CommitAsync(CancellationToken.None).WaitAsync(TestData.Timeout);
    }

    private static async Task<bool> EventuallyAsync(Func<bool> done)
    {
        var deadline = DateTime.UtcNow + TestData.Timeout;
        while (!done() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        return done();
    }
}
