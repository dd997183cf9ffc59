using System.Net;
using TusUpload.Server.IntegrationTests.Harness;

namespace TusUpload.Server.IntegrationTests.Metrics;

/// <summary>
/// Kestrel receives into the server's 64 KiB pool, not its own 4 KiB one: the pool's own metrics move when a body
/// arrives (they do not exist while Kestrel's pool is in use), and the body is stored intact.
/// </summary>
[Collection(DiskCollection.Name)]
public sealed class ReceiveBlockMetricsTests(DiskServers servers)
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_body_is_received_into_the_servers_pool_and_stored_intact()
    {
        using var client = new TusClient(servers.Main);
        var body = TusClient.RandomBytes(1024 * 1024);
        var upload = await client.CreateAsync(body.Length).WaitAsync(s_timeout);

        using var patched = await client.PatchAsync(upload, 0, body).WaitAsync(s_timeout);
        var metrics = await MetricsScrape.ScrapeAsync(servers.Main).WaitAsync(s_timeout);
        var stored = await client.DownloadAsync(upload).WaitAsync(s_timeout);

        Assert.Equal(HttpStatusCode.NoContent, patched.StatusCode);
        Assert.True(MetricsScrape.Sum(metrics, "tus_receive_blocks_allocated") >= 1, metrics);
        Assert.True(MetricsScrape.Sum(metrics, "tus_receive_blocks_retained") >= 1, metrics);

        // Exported from the start; it only moves once 1024 large blocks are out at once (the pool's own tests).
        Assert.Contains("\ntus_receive_small_blocks_retained ", metrics, StringComparison.Ordinal);
        Assert.Equal(TusClient.Sha256(body), TusClient.Sha256(stored));
    }
}
