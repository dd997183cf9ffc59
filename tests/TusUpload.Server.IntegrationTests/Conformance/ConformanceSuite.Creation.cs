using System.Globalization;
using System.Net;
using System.Text;
using TusUpload.Server.IntegrationTests.Harness;

namespace TusUpload.Server.IntegrationTests.Conformance;

public abstract partial class ConformanceSuite
{
    [Fact]
    public async Task C1_post_returns_201_with_an_absolute_location_from_the_request()
    {
        using var response = await Client.PostAsync(100, headers: new Dictionary<string, string>
        {
            ["X-Forwarded-Host"] = "evil.example",
            ["X-Forwarded-Proto"] = "https",
        });

        var location = response.Headers.Location!;
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.True(location.IsAbsoluteUri);
        Assert.Equal(Client.Server.Files.GetLeftPart(UriPartial.Authority), location.GetLeftPart(UriPartial.Authority));
        Assert.Matches("^/files/[0-9a-f]{32}$", location.AbsolutePath);
    }

    [Fact]
    public async Task C1_location_uses_forwarded_scheme_and_host_only_from_a_trusted_proxy()
    {
        using var response = await ExpiringClient.PostAsync(100, headers: new Dictionary<string, string>
        {
            ["X-Forwarded-Host"] = "uploads.example",
            ["X-Forwarded-Proto"] = "https",
        });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("https://uploads.example", response.Headers.Location!.GetLeftPart(UriPartial.Authority));
    }

    [Fact]
    public async Task C1_behind_an_appending_proxy_the_value_the_proxy_added_counts_not_the_clients()
    {
        // A proxy that appends keeps the client's own header in front of the value it sets.
        using var response = await ExpiringClient.PostAsync(100, headers: new Dictionary<string, string>
        {
            ["X-Forwarded-Host"] = "evil.example, uploads.example",
            ["X-Forwarded-Proto"] = "http, https",
        });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("https://uploads.example", response.Headers.Location!.GetLeftPart(UriPartial.Authority));
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("10", "1")]
    [InlineData(null, "0")]
    [InlineData(null, "2")]
    [InlineData(null, "true")]
    [InlineData(null, "")]
    public async Task C2_without_exactly_one_valid_length_header_post_returns_400_and_creates_nothing(
        string? length,
        string? defer)
    {
        var before = await SnapshotAsync();
        var request = Client.Request(HttpMethod.Post);
        if (length is not null)
        {
            request.Headers.TryAddWithoutValidation("Upload-Length", length);
        }

        if (defer is not null)
        {
            request.Headers.TryAddWithoutValidation("Upload-Defer-Length", defer);
        }

        using var response = await Client.SendAsync(request);

        await AssertRefusedAsync(response, HttpStatusCode.BadRequest);
        Assert.Null(response.Headers.Location);
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task C3_length_above_the_maximum_returns_413_and_creates_nothing()
    {
        var before = await SnapshotAsync();

        using var response = await Client.PostAsync(TusServers.MaxSize + 1);
        var after = await SnapshotAsync();
        using var atLimit = await Client.PostAsync(TusServers.MaxSize);

        await AssertRefusedAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Null(response.Headers.Location);
        Assert.Equal(before, after);
        Assert.Equal(HttpStatusCode.Created, atLimit.StatusCode);
    }

    [Theory]
    [InlineData("", "empty key")]
    [InlineData("name", null)]
    [InlineData("name ", null)]
    [InlineData("name aGk=,type", null)]
    [InlineData("name aGk=,name aGk=", "repeats")]
    [InlineData("name aGk", "base64")]
    [InlineData("name aGk=!", "base64")]
    [InlineData("my name aGk=", "space")]
    [InlineData("name aGk=,,type aGk=", "empty key")]
    public async Task C4_metadata_grammar_is_enforced(string metadata, string? reasonPart)
    {
        var before = await SnapshotAsync();

        using var response = await Client.PostAsync(1, metadata);

        if (reasonPart is null)
        {
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            return;
        }

        await AssertRefusedAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains(reasonPart, await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task C5_decoded_metadata_never_reaches_a_response_header_raw()
    {
        const string Evil = "x\r\nSet-Cookie: stolen=1\r\nX-Injected: yes";
        var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes(Evil));
        var metadata = $"filename {encoded},filetype {encoded},name {encoded}";
        var upload = await UploadAsync([1, 2, 3], metadata);

        using var head = await Client.HeadAsync(upload);
        using var get = await Client.GetAsync(upload);
        var rawHead = await RawAsync($"HEAD {upload.AbsolutePath} HTTP/1.1\r\nTus-Resumable: 1.0.0\r\n");
        var rawGet = await RawAsync($"GET {upload.AbsolutePath} HTTP/1.1\r\n");

        foreach (var raw in new[] { rawHead, rawGet })
        {
            Assert.Equal(200, raw!.StatusCode);
            Assert.DoesNotContain(raw.Headers, h => h.Key.Equals("Set-Cookie", StringComparison.OrdinalIgnoreCase));
            Assert.DoesNotContain(raw.Headers, h => h.Key.Equals("X-Injected", StringComparison.OrdinalIgnoreCase));
            Assert.All(raw.Headers, h => Assert.DoesNotContain(Evil, h.Value, StringComparison.Ordinal));
        }

        Assert.Equal(metadata, TusClient.Header(head, "Upload-Metadata"));
        Assert.Equal("application/octet-stream", get.Content.Headers.ContentType!.MediaType);
        Assert.StartsWith("attachment; filename=\"x__Set-Cookie", TusClient.Header(get, "Content-Disposition"),
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task C6_zero_length_upload_is_complete_at_creation_with_exactly_one_completion()
    {
        var upload = await Client.CreateAsync(0);

        using var head = await Client.HeadAsync(upload);
        var content = await Client.DownloadAsync(upload);

        Assert.Equal("0", TusClient.Header(head, "Upload-Offset"));
        Assert.Equal("0", TusClient.Header(head, "Upload-Length"));
        Assert.Empty(content);
        Assert.Equal(1, Completions(Client.Server, upload));
    }

    [Fact]
    public async Task C7_deferred_length_arrives_in_a_later_patch_and_may_be_repeated()
    {
        var upload = await Client.CreateAsync(null);

        using var first = await Client.PatchAsync(upload, 0, [1, 2, 3]);
        using var declared = await Client.PatchAsync(upload, 3, [4, 5], WithLength(6));
        using var repeated = await Client.PatchAsync(upload, 5, [6], WithLength(6));
        using var head = await Client.HeadAsync(upload);

        Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, declared.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, repeated.StatusCode);
        Assert.Equal("6", TusClient.Header(head, "Upload-Length"));
        Assert.Equal([1, 2, 3, 4, 5, 6], await Client.DownloadAsync(upload));
        Assert.Equal(1, Completions(Client.Server, upload));
    }

    [Fact]
    public async Task C7_bad_deferred_lengths_are_refused_and_change_nothing()
    {
        var deferred = await Client.CreateAsync(null);
        using (var first = await Client.PatchAsync(deferred, 0, [1, 2, 3, 4]))
        {
            Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        }

        var known = await Client.CreateAsync(10);

        using var belowOffset = await Client.PatchAsync(deferred, 4, [5], WithLength(3));
        using var aboveMax = await Client.PatchAsync(deferred, 4, [5], WithLength(TusServers.MaxSize + 1));
        var growsPastMax = await SendHeadOnlyAsync(PatchHead(deferred, 4, TusServers.MaxSize));
        using var bodyPastNewLength = await Client.PatchAsync(deferred, 4, [5, 6, 7], WithLength(6));
        using var different = await Client.PatchAsync(known, 0, [1], WithLength(11));

        await AssertRefusedAsync(belowOffset, HttpStatusCode.BadRequest);
        await AssertRefusedAsync(aboveMax, HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal(413, growsPastMax!.StatusCode);
        await AssertRefusedAsync(bodyPastNewLength, HttpStatusCode.RequestEntityTooLarge);
        await AssertRefusedAsync(different, HttpStatusCode.BadRequest);
        using var deferredHead = await Client.HeadAsync(deferred);
        Assert.Equal("4", TusClient.Header(deferredHead, "Upload-Offset"));
        Assert.Equal("1", TusClient.Header(deferredHead, "Upload-Defer-Length"));
        Assert.Equal(0, await Client.OffsetAsync(known));
    }

    [Fact]
    public async Task W1_post_with_a_body_stores_it_and_returns_201_with_the_offset()
    {
        var body = TusClient.RandomBytes(200_000);

        using var response = await Client.PostAsync(500_000, body: body);
        var upload = response.Headers.Location!;

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(200_000, HeaderNumber(response, "Upload-Offset"));
        Assert.Equal(200_000, await Client.OffsetAsync(upload));
        Assert.Equal(0, Completions(Client.Server, upload));
    }

    [Fact]
    public async Task W2_upload_completed_in_the_post_is_completed_exactly_once()
    {
        var body = TusClient.RandomBytes(70_000);

        using var response = await Client.PostAsync(body.Length, body: body);
        var upload = response.Headers.Location!;
        using var retried = await Client.PatchAsync(upload, body.Length, []);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(body.Length, HeaderNumber(response, "Upload-Offset"));
        Assert.Equal(HttpStatusCode.NoContent, retried.StatusCode);
        Assert.Equal(TusClient.Sha256(body), TusClient.Sha256(await Client.DownloadAsync(upload)));
        Assert.Equal(1, Completions(Client.Server, upload));
    }

    [Theory]
    [InlineData("POST", "Upload-Length: 99999999999\r\n", 413)]
    [InlineData("POST", "Upload-Length: 10\r\nUpload-Metadata: bad key here\r\n", 400)]
    [InlineData("POST", "Upload-Length: -1\r\n", 400)]
    [InlineData("POST", "Upload-Length: 10\r\n", 413)]
    public async Task W3_rejections_are_sent_before_the_body_is_read(string method, string headers, int status)
    {
        var before = await SnapshotAsync();
        await using var raw = await RawHttp.ConnectAsync(Client.Server.BaseAddress);

        await raw.SendAsync(
            $"{method} /files/ HTTP/1.1\r\nHost: {Client.Server.Files.Authority}\r\nTus-Resumable: 1.0.0\r\n"
            + $"{headers}Content-Type: application/offset+octet-stream\r\nContent-Length: 1000\r\n"
            + "Expect: 100-continue\r\n\r\n");
        var response = await raw.ReadResponseAsync();

        Assert.NotNull(response);
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("1.0.0", response.Header("Tus-Resumable"));
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task W3_patch_too_large_for_the_upload_is_rejected_before_100_continue()
    {
        var upload = await Client.CreateAsync(10);
        await using var raw = await RawHttp.ConnectAsync(Client.Server.BaseAddress);

        await raw.SendAsync(PatchHead(upload, 0, 11, "Expect: 100-continue\r\n"));
        var response = await raw.ReadResponseAsync();

        Assert.Equal(413, response!.StatusCode);
        Assert.Equal(0, await Client.OffsetAsync(upload));
    }

    private static Dictionary<string, string> WithLength(long length) =>
        new() { ["Upload-Length"] = length.ToString(CultureInfo.InvariantCulture) };

    /// <summary>Sends a request head whose body never follows and reads the answer.</summary>
    private async Task<RawResponse?> SendHeadOnlyAsync(string head)
    {
        await using var raw = await RawHttp.ConnectAsync(Client.Server.BaseAddress);
        await raw.SendAsync(head);
        return await raw.ReadResponseAsync();
    }

    /// <summary>Sends a body-less request over a raw socket (Host and Connection added) and reads the answer.</summary>
    private async Task<RawResponse?> RawAsync(string requestLineAndHeaders)
    {
        await using var raw = await RawHttp.ConnectAsync(Client.Server.BaseAddress);
        var host = Client.Server.Files.Authority;
        await raw.SendAsync(requestLineAndHeaders + $"Host: {host}\r\nConnection: close\r\n\r\n");
        return await raw.ReadResponseAsync();
    }
}
