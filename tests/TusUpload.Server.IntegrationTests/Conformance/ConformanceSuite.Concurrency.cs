using System.Diagnostics;
using System.Net;
using TusUpload.Server.IntegrationTests.Harness;

namespace TusUpload.Server.IntegrationTests.Conformance;

public abstract partial class ConformanceSuite
{
    [Fact]
    public async Task P7_silent_client_is_cut_off_within_the_idle_timeout_and_a_new_connection_continues()
    {
        var body = TusClient.RandomBytes(500_000);
        var upload = await Client.CreateAsync(body.Length);
        var patches = await FinishedPatchesAsync();
        var timedOut = PatchesWithStatus(await MetricsScrape.ScrapeAsync(Client.Server), 408);
        await using var silent = await RawHttp.ConnectAsync(Client.Server.BaseAddress);
        await silent.SendAsync(PatchHead(upload, 0, body.Length));
        await silent.SendAsync(body[..120_000]);
        var clock = Stopwatch.StartNew();

        // No FIN, no more bytes: a half-open client as the server sees it.
        var closed = await silent.WaitForCloseAsync(TusServers.IdleTimeout + TimeSpan.FromSeconds(8));
        var waited = clock.Elapsed;
        var kept = await SettledOffsetAsync(upload, patches + 1);
        using var rest = await Client.PatchAsync(upload, kept, body[(int)kept..]);

        Assert.True(closed, "The server kept the silent connection open.");
        Assert.InRange(waited, TusServers.IdleTimeout - TimeSpan.FromMilliseconds(500), TusServers.IdleTimeout * 4);
        Assert.Equal(120_000, kept);
        Assert.Equal(HttpStatusCode.NoContent, rest.StatusCode);
        Assert.Equal(TusClient.Sha256(body), TusClient.Sha256(await Client.DownloadAsync(upload)));

        // Nobody was answered; the request metrics record the cut-off as a timeout, not as a 200.
        Assert.Equal(timedOut + 1, PatchesWithStatus(await MetricsScrape.ScrapeAsync(Client.Server), 408));
    }

    [Fact]
    public async Task P8_newcomer_takes_over_from_a_stalled_writer_and_bytes_never_interleave()
    {
        var first = TusClient.RandomBytes(400_000);
        var second = TusClient.RandomBytes(400_000);
        var upload = await Client.CreateAsync(first.Length);
        var metricsBefore = await MetricsScrape.ScrapeAsync(Client.Server);
        var patches = await FinishedPatchesAsync();
        await using var stalled = await RawHttp.ConnectAsync(Client.Server.BaseAddress);
        await stalled.SendAsync(PatchHead(upload, 0, first.Length));
        await stalled.SendAsync(first[..100_000]);
        await Task.Delay(300);

        // The newcomer's offset is stale on purpose: after the take-over the stalled writer's bytes count.
        using var stale = await Client.PatchAsync(upload, 0, second);
        var offset = await SettledOffsetAsync(upload, patches + 2);
        using var resumed = await Client.PatchAsync(upload, offset, second[(int)offset..]);
        var stalledClosed = await stalled.WaitForCloseAsync(TimeSpan.FromSeconds(5));
        var metricsAfter = await MetricsScrape.ScrapeAsync(Client.Server);

        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Equal(100_000, offset);
        Assert.Equal(HttpStatusCode.NoContent, resumed.StatusCode);
        Assert.True(stalledClosed, "The superseded writer's connection was not ended.");
        MetricsScrape.AssertGrew(metricsBefore, metricsAfter, "tus_writer_handovers", 1);
        Assert.Equal(PatchesWithStatus(metricsBefore, 499) + 1, PatchesWithStatus(metricsAfter, 499));
        MetricsScrape.AssertGrew(metricsBefore, metricsAfter, "tus_lock_wait_seconds_count", 3);
        var stored = await Client.DownloadAsync(upload);
        Assert.Equal(first[..100_000], stored[..100_000]);
        Assert.Equal(second[100_000..], stored[100_000..]);
    }

    [Fact]
    public async Task P8_concurrent_patches_at_the_same_offset_never_interleave()
    {
        for (var round = 0; round < 4; round++)
        {
            var bodies = new[] { TusClient.RandomBytes(2_000_000), TusClient.RandomBytes(2_000_000) };
            var upload = await Client.CreateAsync(bodies[0].Length);
            var patches = await FinishedPatchesAsync();

            var racing = bodies.Select(body => Client.PatchAsync(upload, 0, body)).ToArray();
            var statuses = new List<HttpStatusCode>();
            foreach (var patch in racing)
            {
                try
                {
                    using var response = await patch;
                    statuses.Add(response.StatusCode);
                }
                catch (HttpRequestException)
                {
                    // A writer that was taken over has its connection ended.
                    statuses.Add(0);
                }
            }

            var offset = await SettledOffsetAsync(upload, patches + 2);
            var oneWriter = await PrefixFromOneWriterAsync(upload, offset, bodies);

            Assert.All(statuses, status => Assert.Contains(status, (HttpStatusCode[])
                [HttpStatusCode.NoContent, HttpStatusCode.Conflict, HttpStatusCode.Locked, 0]));
            Assert.True(oneWriter, $"Round {round}: the first {offset} bytes mix both writers.");
        }
    }

    [Fact]
    public async Task P8_patch_with_a_wrong_offset_returns_409_without_cutting_off_the_current_writer()
    {
        var body = TusClient.RandomBytes(20_000);
        var upload = await Client.CreateAsync(body.Length);
        await using var writer = await RawHttp.ConnectAsync(Client.Server.BaseAddress);
        await writer.SendAsync(PatchHead(upload, 0, body.Length));

        // About 5 KB/s: the writer holds the lock for roughly four seconds.
        for (var start = 0; start < 8_000; start += 1_000)
        {
            await writer.SendAsync(body[start..(start + 1_000)]);
            await Task.Delay(200);
        }

        using var wrong = await Client.PatchAsync(upload, 1, [1, 2, 3]);
        for (var start = 8_000; start < body.Length; start += 1_000)
        {
            await writer.SendAsync(body[start..(start + 1_000)]);
            await Task.Delay(200);
        }

        var answer = await writer.ReadResponseAsync(TimeSpan.FromSeconds(10));

        await AssertRefusedAsync(wrong, HttpStatusCode.Conflict);
        Assert.NotNull(answer);
        Assert.Equal(204, answer.StatusCode);
        Assert.Equal(TusClient.Sha256(body), TusClient.Sha256(await Client.DownloadAsync(upload)));
    }

    /// <summary>Completes the upload; tells whether its first bytes up to the offset are one writer's.</summary>
    private async Task<bool> PrefixFromOneWriterAsync(Uri upload, long offset, byte[][] bodies)
    {
        if (offset == 0)
        {
            return true;
        }

        if (offset < bodies[0].Length)
        {
            using var rest = await Client.PatchAsync(upload, offset, bodies[0][(int)offset..]);
            Assert.Equal(HttpStatusCode.NoContent, rest.StatusCode);
        }

        var prefix = (await Client.DownloadAsync(upload)).AsSpan(0, (int)offset);
        return prefix.SequenceEqual(bodies[0].AsSpan(0, (int)offset))
            || prefix.SequenceEqual(bodies[1].AsSpan(0, (int)offset));
    }
}
