using System.Net;
using System.Text;
using TusUpload.Server.IntegrationTests.Harness;

namespace TusUpload.Server.IntegrationTests.Conformance;

public abstract partial class ConformanceSuite
{
    [Fact]
    public async Task C1_post_with_an_empty_host_returns_400_and_creates_nothing()
    {
        var before = await SnapshotAsync();

        var response = await SendWithEmptyHostAsync("POST /files/", "Upload-Length: 1\r\n");

        AssertRawRefused(response, 400);
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task X2_final_creation_with_an_empty_host_returns_400_and_creates_nothing()
    {
        var partial = await Client.CreateAsync(2, concat: "partial", body: [1, 2]);
        var before = await SnapshotAsync();

        var response = await SendWithEmptyHostAsync("POST /files/", $"Upload-Concat: final;{partial.AbsolutePath}\r\n");

        AssertRawRefused(response, 400);
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task H5_head_of_a_final_upload_with_an_empty_host_returns_400()
    {
        var partial = await Client.CreateAsync(2, concat: "partial", body: [1, 2]);
        var final = await Client.CreateAsync(null, concat: $"final;{partial.AbsolutePath}");

        var response = await SendWithEmptyHostAsync($"HEAD {final.AbsolutePath}", string.Empty);

        Assert.NotNull(response);
        Assert.Equal(400, response.StatusCode);
        Assert.Equal("1.0.0", response.Header("Tus-Resumable"));
        Assert.Null(response.Header("Upload-Offset"));
    }

    [Fact]
    public async Task C1_a_trusted_forwarded_host_with_non_ascii_or_control_characters_is_ignored()
    {
        // A dedicated server: the expiring one would let the partial below expire on a slow machine.
        await using var server = await Servers.StartServerAsync(new Dictionary<string, string>
        {
            ["Tus:TrustedProxies:0"] = "127.0.0.1",
        });
        // The forwarded scheme still counts; only the unusable host is left out.
        var own = "https://" + server.BaseAddress.Authority;

        foreach (var forwarded in new[] { "\u00e9vil", "good.example, \u00e9vil", "ex\u007fample", "a\u0001b" })
        {
            var created = await SendForwardedAsync(server, "POST /files/", forwarded, "Upload-Length: 5\r\n");

            Assert.NotNull(created);
            Assert.Equal(201, created.StatusCode);
            Assert.StartsWith(own + "/files/", created.Header("Location"), StringComparison.Ordinal);
        }

        using var client = new TusClient(server);
        var partial = await client.CreateAsync(2, concat: "partial", body: [1, 2]);
        var final = await client.CreateAsync(null, concat: $"final;{partial.AbsolutePath}");

        var head = await SendForwardedAsync(server, $"HEAD {final.AbsolutePath}", "\u00e9vil", string.Empty);

        Assert.NotNull(head);
        Assert.Equal(200, head.StatusCode);
        Assert.Equal($"final;{own}{partial.AbsolutePath}", head.Header("Upload-Concat"));
    }

    [Fact]
    public async Task C1_a_trusted_forwarded_host_whose_port_is_not_1_to_65535_is_ignored_not_refused()
    {
        // A dedicated server: the expiring one would let the partial below expire on a slow machine.
        await using var server = await Servers.StartServerAsync(new Dictionary<string, string>
        {
            ["Tus:TrustedProxies:0"] = "127.0.0.1",
        });
        var own = "https://" + server.BaseAddress.Authority;
        using var client = new TusClient(server);
        var partial = await client.CreateAsync(2, concat: "partial", body: [1, 2]);
        var final = await client.CreateAsync(null, concat: $"final;{partial.AbsolutePath}");

        foreach (var forwarded in new[] { "h:99999", "h:abc", "h:-1", "h:+80", "h:0", "[::1]:99999" })
        {
            var created = await SendForwardedAsync(server, "POST /files/", forwarded, "Upload-Length: 5\r\n");
            // Each value names another final through its own Idempotency-Key, so each one is created anew.
            var concatenated = await SendForwardedAsync(
                server,
                "POST /files/",
                forwarded,
                $"Upload-Concat: final;{partial.AbsolutePath}\r\nIdempotency-Key: key-{forwarded}\r\n");
            var head = await SendForwardedAsync(server, $"HEAD {final.AbsolutePath}", forwarded, string.Empty);

            Assert.NotNull(created);
            Assert.Equal(201, created.StatusCode);
            Assert.StartsWith(own + "/files/", created.Header("Location"), StringComparison.Ordinal);
            Assert.NotNull(concatenated);
            Assert.Equal(201, concatenated.StatusCode);
            Assert.StartsWith(own + "/files/", concatenated.Header("Location"), StringComparison.Ordinal);
            Assert.NotNull(head);
            Assert.Equal(200, head.StatusCode);
            Assert.Equal($"final;{own}{partial.AbsolutePath}", head.Header("Upload-Concat"));
        }
    }

    [Fact]
    public async Task C1_a_trusted_forwarded_scheme_in_capitals_counts_and_location_carries_it_in_lower_case()
    {
        using var response = await ExpiringClient.PostAsync(100, headers: new Dictionary<string, string>
        {
            ["X-Forwarded-Host"] = "uploads.example",
            ["X-Forwarded-Proto"] = "HTTPS",
        });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.StartsWith(
            "https://uploads.example/files/",
            response.Headers.Location!.AbsoluteUri,
            StringComparison.Ordinal);
    }

    private static void AssertRawRefused(RawResponse? response, int status)
    {
        Assert.NotNull(response);
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("1.0.0", response.Header("Tus-Resumable"));
        Assert.StartsWith("text/plain", response.Header("Content-Type"), StringComparison.Ordinal);
        Assert.Equal("A Host header is required.\n", response.Body);
    }

    /// <summary>HttpClient always sends a host, so this goes over a raw socket with <c>Host:</c> empty.</summary>
    private async Task<RawResponse?> SendWithEmptyHostAsync(string requestLine, string headers)
    {
        await using var raw = await RawHttp.ConnectAsync(Client.Server.BaseAddress);
        await raw.SendAsync($"{requestLine} HTTP/1.1\r\nHost:\r\nConnection: close\r\nTus-Resumable: 1.0.0\r\n"
            + $"{headers}Content-Length: 0\r\n\r\n");
        return await raw.ReadResponseAsync();
    }

    /// <summary>HttpClient refuses such header values, so this goes over a raw socket, the value in UTF-8.</summary>
    private static async Task<RawResponse?> SendForwardedAsync(
        TusServerProcess server,
        string requestLine,
        string forwardedHost,
        string headers)
    {
        await using var raw = await RawHttp.ConnectAsync(server.BaseAddress);
        await raw.SendAsync(Encoding.UTF8.GetBytes(
            $"{requestLine} HTTP/1.1\r\nHost: {server.BaseAddress.Authority}\r\nConnection: close\r\n"
            + $"Tus-Resumable: 1.0.0\r\nX-Forwarded-Host: {forwardedHost}\r\nX-Forwarded-Proto: https\r\n"
            + $"{headers}Content-Length: 0\r\n\r\n"));
        return await raw.ReadResponseAsync();
    }
}
