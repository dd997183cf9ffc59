using System.Net;
using TusUpload.Server.IntegrationTests.Harness;
using TusUpload.Store.Disk;

namespace TusUpload.Server.IntegrationTests.Recovery;

/// <summary>
/// An info file damaged in both slots (storage gone bad, not a crash), or replaced by a folder (an operator's
/// mistake): requests for that upload answer 500 with a one-line reason naming the damage and the process carries
/// on; DELETE still removes what is left, so it can always be cleared, except a folder with content, which is not
/// the store's to remove: DELETE then says an operator must clear it.
/// </summary>
[Collection(DiskCollection.Name)]
public sealed class DiskDamagedInfoTests(DiskServers servers)
{
    [Fact]
    public async Task A_damaged_upload_answers_500_yet_DELETE_removes_it()
    {
        using var client = new TusClient(servers.Main);
        var (upload, infoPath) = await PartlyUploadedAsync(client);
        var file = await File.ReadAllBytesAsync(infoPath);
        file[InfoSlot.HeaderBytes + 2] ^= 0xFF;
        file[(file.Length / 2) + InfoSlot.HeaderBytes + 2] ^= 0xFF;
        await File.WriteAllBytesAsync(infoPath, file);

        using var head = await client.HeadAsync(upload);
        using var patch = await client.PatchAsync(upload, 3, [4]);
        var reason = await patch.Content.ReadAsStringAsync();
        using var deleted = await client.DeleteAsync(upload);
        using var headAfter = await client.HeadAsync(upload);
        using var otherUpload = await client.HeadAsync(await client.CreateAsync(5));

        Assert.Equal(HttpStatusCode.InternalServerError, head.StatusCode);
        Assert.Equal(HttpStatusCode.InternalServerError, patch.StatusCode);
        Assert.Matches(@"^[^\r\n]*damaged[^\r\n]*\n$", reason);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, headAfter.StatusCode);
        Assert.Equal(HttpStatusCode.OK, otherUpload.StatusCode);
        Assert.False(File.Exists(infoPath));
        Assert.False(File.Exists(Path.ChangeExtension(infoPath, ".data")));
    }

    [Fact]
    public async Task An_info_file_replaced_by_a_folder_answers_as_damaged_yet_DELETE_removes_it()
    {
        using var client = new TusClient(servers.Main);
        var (upload, infoPath) = await PartlyUploadedAsync(client);
        File.Delete(infoPath);
        Directory.CreateDirectory(infoPath);

        using var head = await client.HeadAsync(upload);
        using var patch = await client.PatchAsync(upload, 3, [4]);
        var reason = await patch.Content.ReadAsStringAsync();
        using var deleted = await client.DeleteAsync(upload);
        using var headAfter = await client.HeadAsync(upload);

        // The damaged answer, not the generic "Internal server error." of an unclassified fault.
        Assert.Equal(HttpStatusCode.InternalServerError, head.StatusCode);
        Assert.Equal(HttpStatusCode.InternalServerError, patch.StatusCode);
        Assert.Matches(@"^[^\r\n]*stored state is damaged[^\r\n]*\n$", reason);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, headAfter.StatusCode);
        Assert.False(Directory.Exists(infoPath));
        Assert.False(File.Exists(Path.ChangeExtension(infoPath, ".data")));
    }

    [Fact]
    public async Task An_info_file_replaced_by_a_folder_with_content_is_refused_by_DELETE_with_a_reason_that_says_so()
    {
        using var client = new TusClient(servers.Main);
        var upload = await client.CreateAsync(10);
        var id = TusClient.IdOf(upload);
        var infoPath = Path.Combine(DiskServers.DataDirectory(servers.Main), id + DiskStoreLayout.InfoSuffix);
        File.Delete(infoPath);
        Directory.CreateDirectory(infoPath);
        var notTheStores = Path.Combine(infoPath, "kept-by-an-operator");
        await File.WriteAllTextAsync(notTheStores, "not the store's");

        using var patch = await client.PatchAsync(upload, 0, [1]);
        var patchReason = await patch.Content.ReadAsStringAsync();
        using var deleted = await client.DeleteAsync(upload);
        var deleteReason = await deleted.Content.ReadAsStringAsync();

        // Other requests are pointed at DELETE; the DELETE that cannot clear the folder must not point at itself.
        Assert.Equal(HttpStatusCode.InternalServerError, patch.StatusCode);
        Assert.Matches(@"^[^\r\n]*only DELETE can still remove it[^\r\n]*\n$", patchReason);
        Assert.Equal(HttpStatusCode.InternalServerError, deleted.StatusCode);
        Assert.Matches(@"^[^\r\n]*stored state is damaged[^\r\n]*\n$", deleteReason);
        Assert.DoesNotContain("only DELETE", deleteReason, StringComparison.Ordinal);
        Assert.Contains("DELETE cannot clear", deleteReason, StringComparison.Ordinal);
        Assert.Contains("operator", deleteReason, StringComparison.Ordinal);
        Assert.True(File.Exists(notTheStores));

        // Once the operator moved the content away, DELETE clears the rest as it clears an empty folder.
        File.Delete(notTheStores);
        using var deletedAfter = await client.DeleteAsync(upload);

        Assert.Equal(HttpStatusCode.NoContent, deletedAfter.StatusCode);
        Assert.False(Directory.Exists(infoPath));
    }

    /// <summary>An upload of 10 bytes holding its first 3, and the path of its info file.</summary>
    private async Task<(Uri Upload, string InfoPath)> PartlyUploadedAsync(TusClient client)
    {
        var upload = await client.CreateAsync(10);
        using (var patched = await client.PatchAsync(upload, 0, [1, 2, 3]))
        {
            Assert.Equal(HttpStatusCode.NoContent, patched.StatusCode);
        }

        var id = TusClient.IdOf(upload);
        return (upload, Path.Combine(DiskServers.DataDirectory(servers.Main), id + DiskStoreLayout.InfoSuffix));
    }
}
