using System.Net;

namespace TusUpload.Pipeline.IntegrationTests.Embedded;

/// <summary>The status endpoint answers browsers under the same origin policy as the tus endpoint.</summary>
public sealed class StatusCorsTests
{
    private const string AllowedOrigin = "https://app.example";

    [Fact]
    public async Task An_allowed_origin_may_read_the_status_and_preflight_it_and_another_origin_may_not()
    {
        await using var server = await EmbeddedServerProcess.StartAsync($"--Tus:AllowedOrigins:0={AllowedOrigin}");
        var status = new Uri($"uploads/{new string('a', 32)}/status", UriKind.Relative);

        using var allowed = await SendAsync(server.Client, HttpMethod.Get, status, AllowedOrigin);
        using var other = await SendAsync(server.Client, HttpMethod.Get, status, "https://evil.example");
        using var preflight = await SendAsync(server.Client, HttpMethod.Options, status, AllowedOrigin, "GET");
        using var otherPreflight = await SendAsync(
            server.Client,
            HttpMethod.Options,
            status,
            "https://evil.example",
            "GET");

        Assert.Equal(HttpStatusCode.NotFound, allowed.StatusCode);
        Assert.Equal([AllowedOrigin], allowed.Headers.GetValues("Access-Control-Allow-Origin"));
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        Assert.False(other.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.Equal(HttpStatusCode.NoContent, preflight.StatusCode);
        Assert.Equal([AllowedOrigin], preflight.Headers.GetValues("Access-Control-Allow-Origin"));
        var allowedMethods = preflight.Headers.GetValues("Access-Control-Allow-Methods").Single();
        Assert.Contains("GET", allowedMethods, StringComparison.Ordinal);
        Assert.False(otherPreflight.Headers.Contains("Access-Control-Allow-Origin"));
    }

    private static async Task<HttpResponseMessage> SendAsync(
        HttpClient client,
        HttpMethod method,
        Uri uri,
        string origin,
        string? preflightMethod = null)
    {
        using var request = new HttpRequestMessage(method, uri);
        request.Headers.Add("Origin", origin);
        if (preflightMethod is not null)
        {
            request.Headers.Add("Access-Control-Request-Method", preflightMethod);
        }

        return await client.SendAsync(request).WaitAsync(TimeSpan.FromSeconds(30));
    }
}
