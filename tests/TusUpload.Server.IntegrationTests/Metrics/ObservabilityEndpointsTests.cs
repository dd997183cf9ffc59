using System.Net;
using System.Text.Json;
using TusUpload.Server.IntegrationTests.Harness;

namespace TusUpload.Server.IntegrationTests.Metrics;

/// <summary>
/// What an SRE scrapes and probes: the series docs/operations.md names move with real traffic, and the health
/// endpoints answer the documented JSON, readiness turning unhealthy (503) when the store cannot be written.
/// </summary>
[Collection(DiskCollection.Name)]
public sealed class ObservabilityEndpointsTests(DiskServers servers) : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(10);
    private readonly HttpClient _http = new() { BaseAddress = servers.Main.BaseAddress, Timeout = s_timeout };

    [Fact]
    public async Task Upload_series_named_in_the_operations_guide_count_real_traffic()
    {
        using var client = new TusClient(servers.Main);
        var before = await ScrapeAsync();

        var upload = await client.CreateAsync(1000);
        using (var patched = await client.PatchAsync(upload, 0, TusClient.RandomBytes(1000)))
        {
            Assert.Equal(HttpStatusCode.NoContent, patched.StatusCode);
        }

        using (var deleted = await client.DeleteAsync(upload))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        var after = await ScrapeAsync();
        MetricsScrape.AssertGrew(before, after, "tus_uploads_created", 1);
        MetricsScrape.AssertGrew(before, after, "tus_uploads_completed", 1);
        MetricsScrape.AssertGrew(before, after, "tus_uploads_terminated", 1);
        MetricsScrape.AssertGrew(before, after, "tus_bytes_received", 1000);
        foreach (var notification in new[] { "created", "completed", "terminated" })
        {
            var series = $"notification=\"{notification}\",outcome=\"ok\"";
            Assert.True(
                MetricsScrape.Sum(after, "tus_lifecycle_duration_seconds_count", series)
                    >= MetricsScrape.Sum(before, "tus_lifecycle_duration_seconds_count", series) + 1,
                after);
        }

        Assert.True(MetricsScrape.Sum(after, "http_requests_received_total", "method=\"PATCH\"") >= 1, after);
        Assert.True(MetricsScrape.Sum(after, "http_request_duration_seconds_count", "method=\"POST\"") >= 1, after);
        string[] present = ["tus_patches_in_flight", "http_requests_in_progress", "process_cpu_seconds_total"];
        foreach (var name in present)
        {
            Assert.Contains("\n" + name, "\n" + after, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Liveness_is_healthy_json_without_checks_and_uncached()
    {
        using var response = await _http.GetAsync(new Uri("/healthz", UriKind.Relative)).WaitAsync(s_timeout);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync().WaitAsync(s_timeout));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", body.RootElement.GetProperty("status").GetString());
        Assert.Empty(body.RootElement.GetProperty("checks").EnumerateObject());
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task Readiness_names_each_check_and_turns_503_when_the_store_cannot_be_written()
    {
        await using var server = await servers.StartServerAsync(TusServers.MainSettings);
        using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = s_timeout };
        var (readyStatus, readyChecks) = await ReadinessAsync(http);

        // The store's folder becomes a plain file: no synced write can succeed there any more.
        var folder = DiskServers.DataDirectory(server);
        Directory.Move(folder, folder + ".moved");
        await File.WriteAllTextAsync(folder, "not a folder");
        var (brokenStatus, brokenChecks) = await ReadinessAsync(http);
        using var liveness = await http.GetAsync(new Uri("/healthz", UriKind.Relative)).WaitAsync(s_timeout);

        Assert.Equal(HttpStatusCode.OK, readyStatus);
        Assert.Equal("Healthy", readyChecks["store"]);
        Assert.Equal("Healthy", readyChecks["ledger"]);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, brokenStatus);
        Assert.Equal("Unhealthy", brokenChecks["store"]);
        Assert.Equal(HttpStatusCode.OK, liveness.StatusCode);
    }

    public void Dispose() => _http.Dispose();

    private static async Task<(HttpStatusCode Status, Dictionary<string, string> Checks)> ReadinessAsync(
        HttpClient http)
    {
        using var response = await http.GetAsync(new Uri("/readyz", UriKind.Relative)).WaitAsync(s_timeout);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync().WaitAsync(s_timeout));
        var checks = body.RootElement.GetProperty("checks").EnumerateObject()
            .ToDictionary(check => check.Name, check => check.Value.GetString() ?? "");
        return (response.StatusCode, checks);
    }

    private Task<string> ScrapeAsync() => MetricsScrape.ScrapeAsync(servers.Main);
}
