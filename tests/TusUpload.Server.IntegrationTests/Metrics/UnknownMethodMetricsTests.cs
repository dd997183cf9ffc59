using System.Net;
using System.Security.Cryptography;
using TusUpload.Server.IntegrationTests.Harness;

namespace TusUpload.Server.IntegrationTests.Metrics;

/// <summary>Made-up method names are refused before the HTTP metrics, so they cannot grow <c>/metrics</c>.</summary>
[Collection(DiskCollection.Name)]
public sealed class UnknownMethodMetricsTests(DiskServers servers) : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(10);
    private readonly HttpClient _http = new() { BaseAddress = servers.Main.BaseAddress, Timeout = s_timeout };

    [Fact]
    public async Task Random_methods_get_405_with_a_reason_and_leave_no_series_in_metrics()
    {
        var methods = Enumerable.Range(0, 50).Select(_ => RandomMethod()).ToList();

        foreach (var method in methods)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), "/files/");
            using var response = await _http.SendAsync(request).WaitAsync(s_timeout);
            var body = await response.Content.ReadAsStringAsync().WaitAsync(s_timeout);

            Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
            Assert.Equal("1.0.0", Assert.Single(response.Headers.GetValues("Tus-Resumable")));
            Assert.Equal(["POST", "OPTIONS"], response.Content.Headers.Allow);
            Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
            Assert.Matches(@"^[^\r\n]+\n$", body);
        }

        var metrics = await _http.GetStringAsync(new Uri("/metrics", UriKind.Relative)).WaitAsync(s_timeout);
        Assert.All(methods, method => Assert.DoesNotContain(method, metrics, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/files/", "POST, OPTIONS")]
    [InlineData("/files", "POST, OPTIONS")]
    [InlineData("/files/0123456789abcdef0123456789abcdef", "GET, HEAD, PATCH, DELETE, OPTIONS")]
    [InlineData("/healthz", "GET, HEAD, POST, PATCH, DELETE, OPTIONS")]
    public async Task Put_gets_405_with_the_methods_the_addressed_resource_supports(string path, string allow)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, path);

        using var response = await _http.SendAsync(request).WaitAsync(s_timeout);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(allow.Split(", "), response.Content.Headers.Allow);
        Assert.Equal(
            $"Method not allowed; use {allow}.\n",
            await response.Content.ReadAsStringAsync().WaitAsync(s_timeout));
    }

    public void Dispose() => _http.Dispose();

    // Upper-case letters only: a valid token no client library would send, unique enough to find in /metrics.
    private static string RandomMethod() =>
        "X" + string.Concat(Enumerable.Range(0, 11).Select(_ => (char)('A' + RandomNumberGenerator.GetInt32(26))));
}
