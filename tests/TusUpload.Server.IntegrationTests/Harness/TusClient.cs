using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;

namespace TusUpload.Server.IntegrationTests.Harness;

/// <summary>A small tus client over HttpClient for the conformance tests; every call has a timeout.</summary>
public sealed class TusClient : IDisposable
{
    public const string OffsetOctetStream = "application/offset+octet-stream";

    public TusClient(TusServerProcess server)
    {
        Server = server;
        Http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false })
        {
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    public TusServerProcess Server { get; }

    public HttpClient Http { get; }

    public static byte[] RandomBytes(int count) => RandomNumberGenerator.GetBytes(count);

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    public static string IdOf(Uri upload) => upload.Segments[^1];

    public HttpRequestMessage Request(HttpMethod method, Uri? url = null, bool tus = true)
    {
        var request = new HttpRequestMessage(method, url ?? Server.Files);
        if (tus)
        {
            request.Headers.TryAddWithoutValidation("Tus-Resumable", "1.0.0");
        }

        return request;
    }

    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request)
    {
        using (request)
        {
            try
            {
                return await Http.SendAsync(request);
            }
            catch (HttpRequestException failed) when (Server.HasExited)
            {
                // One server shared by a whole collection that dies fails every later test with "connection
                // refused"; the first of them says why it died.
                throw new InvalidOperationException(Server.ExitReport(), failed);
            }
        }
    }

    /// <summary>POST creating an upload; returns its absolute URL. Asserts 201.</summary>
    public async Task<Uri> CreateAsync(
        long? length,
        string? metadata = null,
        byte[]? body = null,
        string? concat = null)
    {
        using var response = await PostAsync(length, metadata, body, concat);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return response.Headers.Location!;
    }

    public Task<HttpResponseMessage> PostAsync(
        long? length,
        string? metadata = null,
        byte[]? body = null,
        string? concat = null,
        IReadOnlyDictionary<string, string>? headers = null)
    {
        var request = Request(HttpMethod.Post);
        if (length is { } known)
        {
            request.Headers.TryAddWithoutValidation("Upload-Length", known.ToString(CultureInfo.InvariantCulture));
        }
        else if (concat is null || !concat.StartsWith("final", StringComparison.Ordinal))
        {
            request.Headers.TryAddWithoutValidation("Upload-Defer-Length", "1");
        }

        if (metadata is not null)
        {
            request.Headers.TryAddWithoutValidation("Upload-Metadata", metadata);
        }

        if (concat is not null)
        {
            request.Headers.TryAddWithoutValidation("Upload-Concat", concat);
        }

        if (body is not null)
        {
            request.Content = Octets(body);
        }

        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return SendAsync(request);
    }

    public Task<HttpResponseMessage> PatchAsync(
        Uri upload,
        long offset,
        byte[] body,
        IReadOnlyDictionary<string, string>? headers = null,
        string contentType = OffsetOctetStream)
    {
        var request = Request(HttpMethod.Patch, upload);
        request.Headers.TryAddWithoutValidation("Upload-Offset", offset.ToString(CultureInfo.InvariantCulture));
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return SendAsync(request);
    }

    public Task<HttpResponseMessage> HeadAsync(Uri upload) => SendAsync(Request(HttpMethod.Head, upload));

    public Task<HttpResponseMessage> DeleteAsync(Uri upload) => SendAsync(Request(HttpMethod.Delete, upload));

    /// <summary>
    /// GET download. A complete upload answers 409 with Retry-After while processing runs; like a patient client
    /// this retries those (up to 20 seconds). An unfinished upload's 409 has no Retry-After and is returned.
    /// </summary>
    public async Task<HttpResponseMessage> GetAsync(Uri upload, string? range = null)
    {
        for (var attempt = 0; ; attempt++)
        {
            var request = Request(HttpMethod.Get, upload, tus: false);
            if (range is not null)
            {
                request.Headers.TryAddWithoutValidation("Range", range);
            }

            var response = await SendAsync(request);
            if (response.StatusCode != HttpStatusCode.Conflict || response.Headers.RetryAfter is null || attempt >= 200)
            {
                return response;
            }

            response.Dispose();
            await Task.Delay(100);
        }
    }

    /// <summary>The offset HEAD reports, or null when HEAD does not answer 200.</summary>
    public async Task<long?> OffsetAsync(Uri upload)
    {
        using var response = await HeadAsync(upload);
        return response.StatusCode == HttpStatusCode.OK ? long.Parse(Header(response, "Upload-Offset")!,
            CultureInfo.InvariantCulture) : null;
    }

    /// <summary>The upload's state in the ledger, from <c>GET /uploads/{id}/status</c>.</summary>
    public async Task<string?> LedgerStateAsync(string id)
    {
        using var response = await Http.GetAsync(new Uri(Server.BaseAddress, $"/uploads/{id}/status"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var status = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return status.RootElement.GetProperty("state").GetString();
    }

    public async Task<byte[]> DownloadAsync(Uri upload)
    {
        using var response = await GetAsync(upload);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsByteArrayAsync();
    }

    public static ByteArrayContent Octets(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(OffsetOctetStream);
        return content;
    }

    public static string? Header(HttpResponseMessage response, string name)
    {
        if (response.Headers.TryGetValues(name, out var values)
            || response.Content.Headers.TryGetValues(name, out values))
        {
            return string.Join(", ", values);
        }

        return null;
    }

    public void Dispose() => Http.Dispose();
}
