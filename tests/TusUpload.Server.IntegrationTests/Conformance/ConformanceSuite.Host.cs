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
}
