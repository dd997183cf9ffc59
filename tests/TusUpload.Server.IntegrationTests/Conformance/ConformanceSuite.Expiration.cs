using System.Globalization;
using System.Net;
using TusUpload.Server.IntegrationTests.Harness;

namespace TusUpload.Server.IntegrationTests.Conformance;

public abstract partial class ConformanceSuite
{
    [Fact]
    public async Task E1_post_and_every_patch_of_an_unfinished_upload_carry_upload_expires()
    {
        using var created = await Client.PostAsync(6);
        var upload = created.Headers.Location!;

        using var partway = await Client.PatchAsync(upload, 0, [1, 2, 3]);
        using var completing = await Client.PatchAsync(upload, 3, [4, 5, 6]);

        foreach (var response in new[] { created, partway })
        {
            var expires = TusClient.Header(response, "Upload-Expires");
            Assert.NotNull(expires);
            Assert.True(DateTimeOffset.TryParseExact(expires, "r", CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal, out var when), expires);
            Assert.True(when > DateTimeOffset.UtcNow);
        }

        Assert.Null(TusClient.Header(completing, "Upload-Expires"));
    }

    [Fact]
    public async Task E1_a_complete_partial_still_announces_its_expiry_because_it_is_swept_then()
    {
        var partial = await Client.CreateAsync(2, concat: "partial", body: [1, 2]);
        var whole = await UploadAsync([1, 2]);

        using var partialHead = await Client.HeadAsync(partial);
        using var wholeHead = await Client.HeadAsync(whole);

        Assert.Equal("2", TusClient.Header(partialHead, "Upload-Offset"));
        Assert.NotNull(TusClient.Header(partialHead, "Upload-Expires"));
        Assert.Null(TusClient.Header(wholeHead, "Upload-Expires"));
    }

    [Fact]
    public async Task E2_after_expiry_head_and_patch_return_410_and_delete_returns_204()
    {
        var upload = await ExpiringClient.CreateAsync(10);
        using (var first = await ExpiringClient.PatchAsync(upload, 0, [1, 2]))
        {
            Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        }

        await Task.Delay(TusServers.ShortExpiry + TimeSpan.FromMilliseconds(500));

        using var head = await ExpiringClient.HeadAsync(upload);
        using var patch = await ExpiringClient.PatchAsync(upload, 2, [3]);
        using var delete = await ExpiringClient.DeleteAsync(upload);
        using var gone = await ExpiringClient.HeadAsync(upload);

        Assert.Equal(HttpStatusCode.Gone, head.StatusCode);
        await AssertRefusedAsync(patch, HttpStatusCode.Gone);
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);

        // The lifecycle records the deleted upload as expired, so it stays "gone" rather than unknown.
        Assert.Equal(HttpStatusCode.Gone, gone.StatusCode);
    }

    [Fact]
    public async Task E2_a_complete_partial_past_its_expiry_is_gone_before_the_sweeper_removes_it()
    {
        // The expiring server sweeps hourly, so the partial is still stored when it is asked for.
        var partial = await ExpiringClient.CreateAsync(2, concat: "partial", body: [1, 2]);
        await Task.Delay(TusServers.ShortExpiry + TimeSpan.FromMilliseconds(500));
        var before = await SnapshotAsync(Servers.Expiring);

        using var head = await ExpiringClient.HeadAsync(partial);
        using var patch = await ExpiringClient.PatchAsync(partial, 2, []);
        using var get = await ExpiringClient.GetAsync(partial);
        using var final = await ExpiringClient.PostAsync(null, concat: $"final;{partial.AbsolutePath}");

        Assert.Equal(HttpStatusCode.Gone, head.StatusCode);
        await AssertRefusedAsync(patch, HttpStatusCode.Gone);
        await AssertRefusedAsync(get, HttpStatusCode.Gone);
        await AssertRefusedAsync(final, HttpStatusCode.BadRequest);
        Assert.Equal(
            $"Partial upload {TusClient.IdOf(partial)} expired.\n",
            await final.Content.ReadAsStringAsync());
        Assert.Equal(before, await SnapshotAsync(Servers.Expiring));
    }

    [Fact]
    public async Task E2_after_the_sweeper_removed_an_expired_upload_head_and_patch_return_410_and_delete_204()
    {
        await using var server = await Servers.StartServerAsync(new Dictionary<string, string>
        {
            ["Tus:Expiry"] = TusServers.ShortExpiry.ToString("c", CultureInfo.InvariantCulture),
            ["Tus:SweepInterval"] = "00:00:01",
        });
        using var client = new TusClient(server);
        var upload = await client.CreateAsync(10);
        using (var first = await client.PatchAsync(upload, 0, [1, 2]))
        {
            Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        }

        var swept = await WaitUntilSweptAsync(server, upload);

        using var head = await client.HeadAsync(upload);
        using var patch = await client.PatchAsync(upload, 2, [3]);
        using var delete = await client.DeleteAsync(upload);

        Assert.True(swept, "The expired upload's storage was not freed within 20 seconds.");
        Assert.Equal(HttpStatusCode.Gone, head.StatusCode);
        await AssertRefusedAsync(patch, HttpStatusCode.Gone);
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
    }

    [Fact]
    public async Task E2_sweeper_frees_the_storage_of_expired_uploads_and_keeps_complete_ones()
    {
        await using var server = await Servers.StartServerAsync(new Dictionary<string, string>
        {
            ["Tus:Expiry"] = TusServers.ShortExpiry.ToString("c", CultureInfo.InvariantCulture),
            ["Tus:SweepInterval"] = "00:00:01",
        });
        using var client = new TusClient(server);
        Uri expiring;
        using (var created = await client.PostAsync(100, body: new byte[50]))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            expiring = created.Headers.Location!;
        }

        var complete = await UploadAsync([1, 2, 3], client: client);
        var partial = await client.CreateAsync(2, concat: "partial", body: [1, 2]);
        var swept = await WaitUntilSweptAsync(server, expiring);

        using var head = await client.HeadAsync(expiring);
        var partialSwept = await WaitUntilSweptAsync(server, partial);
        Assert.True(swept, "The expired upload's storage was not freed within 20 seconds.");
        Assert.Equal(HttpStatusCode.Gone, head.StatusCode);
        Assert.True(partialSwept, "The complete partial upload past its expiry was not swept.");
        Assert.Equal([1, 2, 3], await client.DownloadAsync(complete));
    }

    /// <summary>Polls until the server's storage holds nothing of the upload (up to 20 seconds).</summary>
    private async Task<bool> WaitUntilSweptAsync(TusServerProcess server, Uri upload)
    {
        var id = TusClient.IdOf(upload);
        for (var attempt = 0; attempt < 200; attempt++)
        {
            await Task.Delay(100);
            var stored = await Servers.SnapshotStorageAsync(server);
            if (!stored.Keys.Any(key => key.Contains(id, StringComparison.Ordinal)))
            {
                return true;
            }
        }

        return false;
    }
}
