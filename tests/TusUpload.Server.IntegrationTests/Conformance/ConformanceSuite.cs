using System.Globalization;
using System.Net;
using TusUpload.Server.IntegrationTests.Harness;

namespace TusUpload.Server.IntegrationTests.Conformance;

/// <summary>
/// One or more tests per row of the tus conformance contract, run against the real server. The store is a
/// parameter: each store kind derives a class bound to its own server fixture and collection.
/// </summary>
public abstract partial class ConformanceSuite : IDisposable
{
    protected ConformanceSuite(TusServers servers)
    {
        Servers = servers;
        Client = new TusClient(servers.Main);
        ExpiringClient = new TusClient(servers.Expiring);
    }

    protected TusServers Servers { get; }

    protected TusClient Client { get; }

    protected TusClient ExpiringClient { get; }

    public void Dispose()
    {
        Client.Dispose();
        ExpiringClient.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Completion log lines for an upload (event 1003), the observable "completed" notification.</summary>
    protected static int Completions(TusServerProcess server, Uri upload) =>
        server.CountLogLines(TusClient.IdOf(upload), "completed with");

    /// <summary>A tus refusal: the exact status, Tus-Resumable, and a one-line plain-text reason.</summary>
    protected static async Task AssertRefusedAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("1.0.0", TusClient.Header(response, "Tus-Resumable"));

        var body = await response.Content.ReadAsStringAsync();
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        Assert.Matches(@"^[^\r\n]+\n$", body);
    }

    protected static long HeaderNumber(HttpResponseMessage response, string name) =>
        long.Parse(TusClient.Header(response, name)!, CultureInfo.InvariantCulture);

    protected async Task<IReadOnlyDictionary<string, long>> SnapshotAsync(TusServerProcess? server = null) =>
        await Servers.SnapshotStorageAsync(server ?? Servers.Main);

    /// <summary>Creates an upload and stores <paramref name="body"/> in one PATCH; returns its URL.</summary>
    protected async Task<Uri> UploadAsync(byte[] body, string? metadata = null, TusClient? client = null)
    {
        client ??= Client;
        var upload = await client.CreateAsync(body.Length, metadata);
        using var response = await client.PatchAsync(upload, 0, body);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        return upload;
    }

    /// <summary>
    /// PATCH requests the main server has finished, from its <c>/metrics</c>: a request counts once its handler has
    /// returned, so also a cut-off one whose received bytes were committed. Tests of a collection run one at a time.
    /// </summary>
    protected async Task<double> FinishedPatchesAsync() =>
        FinishedPatches(await MetricsScrape.ScrapeAsync(Client.Server));

    /// <summary>Finished PATCH requests, whatever their status, in a <c>/metrics</c> scrape.</summary>
    protected static double FinishedPatches(string exposition) =>
        MetricsScrape.Sum(exposition, "http_request_duration_seconds_count", "method=\"PATCH\"");

    /// <summary>Finished PATCH requests recorded with <paramref name="status"/> in a <c>/metrics</c> scrape.</summary>
    protected static double PatchesWithStatus(string exposition, int status) =>
        MetricsScrape.Sum(
            exposition,
            "http_request_duration_seconds_count",
            string.Create(CultureInfo.InvariantCulture, $"code=\"{status}\",method=\"PATCH\""));

    /// <summary>
    /// The upload's offset once the server has finished <paramref name="patches"/> PATCHes in all (see
    /// <see cref="FinishedPatchesAsync"/>), that is after a cut-off writer saved what it had and let go. Waiting
    /// for the offset to stop changing instead read 0 twice under load before a slow commit had landed.
    /// </summary>
    protected async Task<long> SettledOffsetAsync(Uri upload, double patches)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (await FinishedPatchesAsync() < patches)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The server did not finish {patches} PATCHes within 20 seconds.");
            }

            await Task.Delay(50);
        }

        var offset = await Client.OffsetAsync(upload);
        Assert.True(offset is not null, "HEAD reported no offset.");
        return offset.Value;
    }
}
