using System.Net;
using TusUpload.Server.IntegrationTests.Harness;

namespace TusUpload.Server.IntegrationTests.Conformance;

public abstract partial class ConformanceSuite
{
    [Fact]
    public async Task T1_delete_returns_204_and_frees_the_storage()
    {
        var upload = await Client.CreateAsync(100);
        using (var first = await Client.PatchAsync(upload, 0, new byte[40]))
        {
            Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        }

        var id = TusClient.IdOf(upload);
        Assert.Contains((await SnapshotAsync()).Keys, key => key.Contains(id, StringComparison.Ordinal));

        using var response = await Client.DeleteAsync(upload);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.DoesNotContain((await SnapshotAsync()).Keys, key => key.Contains(id, StringComparison.Ordinal));
    }

    [Fact]
    public async Task T2_after_delete_head_patch_and_delete_return_404()
    {
        var upload = await UploadAsync([1, 2, 3]);
        using (var deleted = await Client.DeleteAsync(upload))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        using var head = await Client.HeadAsync(upload);
        using var patch = await Client.PatchAsync(upload, 0, [1]);
        using var delete = await Client.DeleteAsync(upload);
        using var get = await Client.GetAsync(upload);

        Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
        await AssertRefusedAsync(patch, HttpStatusCode.NotFound);
        await AssertRefusedAsync(delete, HttpStatusCode.NotFound);
        await AssertRefusedAsync(get, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task T1_delete_takes_over_from_a_stalled_writer()
    {
        var upload = await Client.CreateAsync(1_000_000);
        await using var stalled = await RawHttp.ConnectAsync(Client.Server.BaseAddress);
        await stalled.SendAsync(PatchHead(upload, 0, 1_000_000));
        await stalled.SendAsync(new byte[50_000]);
        await Task.Delay(300);

        using var response = await Client.DeleteAsync(upload);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Null(await Client.OffsetAsync(upload));
    }
}
