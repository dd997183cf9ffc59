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

    /// <summary>Polls HEAD until the offset stops changing (a cut-off writer has saved and released).</summary>
    protected async Task<long> SettledOffsetAsync(Uri upload, TusClient? client = null)
    {
        client ??= Client;
        long? previous = null;
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var offset = await client.OffsetAsync(upload);
            if (offset is not null && offset == previous)
            {
                return offset.Value;
            }

            previous = offset;
            await Task.Delay(100);
        }

        throw new TimeoutException("The upload's offset did not settle within 10 seconds.");
    }
}
