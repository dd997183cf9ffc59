using System.Net;
using TusUpload.Server.IntegrationTests.Harness;

namespace TusUpload.Server.IntegrationTests.Conformance;

public abstract partial class ConformanceSuite
{
    private const string Extensions = "creation,creation-with-upload,creation-defer-length,termination,checksum,"
        + "checksum-trailer,concatenation";

    [Fact]
    public async Task G1_every_response_success_or_error_carries_tus_resumable()
    {
        var upload = await Client.CreateAsync(4);
        var unknown = new Uri(Client.Server.Files, new string('0', 32));
        var requests = new List<Func<Task<HttpResponseMessage>>>
        {
            () => Client.SendAsync(Client.Request(HttpMethod.Options)),
            () => Client.PostAsync(10),
            () => Client.PostAsync(null, metadata: "bad key"),
            () => Client.HeadAsync(upload),
            () => Client.HeadAsync(unknown),
            () => Client.PatchAsync(upload, 3, [1]),
            () => Client.PatchAsync(upload, 0, [1], contentType: "text/plain"),
            () => Client.PatchAsync(upload, 0, [1, 2, 3, 4]),
            () => Client.GetAsync(upload),
            () => Client.SendAsync(Client.Request(HttpMethod.Put, upload)),
        };

        foreach (var send in requests)
        {
            using var response = await send();
            Assert.Equal("1.0.0", TusClient.Header(response, "Tus-Resumable"));
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("0.2.2")]
    [InlineData("1.0")]
    [InlineData("")]
    public async Task G2_request_without_supported_tus_resumable_returns_412_and_changes_nothing(string? version)
    {
        var upload = await Client.CreateAsync(8);
        var before = await SnapshotAsync();

        HttpRequestMessage WithVersion(HttpMethod method, Uri? url = null)
        {
            var request = Client.Request(method, url, tus: false);
            if (version is not null)
            {
                request.Headers.TryAddWithoutValidation("Tus-Resumable", version);
            }

            return request;
        }

        var post = WithVersion(HttpMethod.Post);
        post.Headers.TryAddWithoutValidation("Upload-Length", "5");
        var patch = WithVersion(HttpMethod.Patch, upload);
        patch.Headers.TryAddWithoutValidation("Upload-Offset", "0");
        patch.Content = TusClient.Octets([1, 2, 3]);

        var delete = WithVersion(HttpMethod.Delete, upload);
        var head = WithVersion(HttpMethod.Head, upload);
        foreach (var request in new[] { post, patch, delete, head })
        {
            using var response = await Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
            Assert.Equal("1.0.0", TusClient.Header(response, "Tus-Version"));
            Assert.Equal("1.0.0", TusClient.Header(response, "Tus-Resumable"));
        }

        Assert.Equal(0, await Client.OffsetAsync(upload));
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task G3_post_with_method_override_behaves_as_patch_head_and_delete()
    {
        var upload = await Client.CreateAsync(3);

        var patch = Client.Request(HttpMethod.Post, upload);
        patch.Headers.TryAddWithoutValidation("X-HTTP-Method-Override", "PATCH");
        patch.Headers.TryAddWithoutValidation("Upload-Offset", "0");
        patch.Content = TusClient.Octets([7, 8, 9]);
        using var patched = await Client.SendAsync(patch);

        var head = Client.Request(HttpMethod.Post, upload);
        head.Headers.TryAddWithoutValidation("X-HTTP-Method-Override", "HEAD");
        using var headed = await Client.SendAsync(head);

        var delete = Client.Request(HttpMethod.Post, upload);
        delete.Headers.TryAddWithoutValidation("X-HTTP-Method-Override", "DELETE");
        using var deleted = await Client.SendAsync(delete);

        Assert.Equal(HttpStatusCode.NoContent, patched.StatusCode);
        Assert.Equal(3, HeaderNumber(patched, "Upload-Offset"));
        Assert.Equal(HttpStatusCode.OK, headed.StatusCode);
        Assert.Equal(3, HeaderNumber(headed, "Upload-Length"));
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Null(await Client.OffsetAsync(upload));
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("abc")]
    [InlineData("1.5")]
    [InlineData("+5")]
    [InlineData("")]
    [InlineData("9223372036854775808")]
    [InlineData("0x10")]
    public async Task G4_malformed_numeric_headers_return_400_and_change_nothing(string value)
    {
        var upload = await Client.CreateAsync(4);
        var before = await SnapshotAsync();

        var post = Client.Request(HttpMethod.Post);
        post.Headers.TryAddWithoutValidation("Upload-Length", value);
        using var created = await Client.SendAsync(post);
        var patch = Client.Request(HttpMethod.Patch, upload);
        patch.Headers.TryAddWithoutValidation("Upload-Offset", value);
        patch.Content = TusClient.Octets([1, 2]);
        using var patched = await Client.SendAsync(patch);

        await AssertRefusedAsync(created, HttpStatusCode.BadRequest);
        await AssertRefusedAsync(patched, HttpStatusCode.BadRequest);
        Assert.Equal(0, await Client.OffsetAsync(upload));
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task G5_unknown_upload_id_returns_404_and_head_has_no_offset()
    {
        var unknown = new Uri(Client.Server.Files, "0123456789abcdef0123456789abcdef");

        using var head = await Client.HeadAsync(unknown);
        using var patch = await Client.PatchAsync(unknown, 0, [1]);
        using var delete = await Client.DeleteAsync(unknown);
        using var get = await Client.GetAsync(unknown);

        Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
        Assert.Null(TusClient.Header(head, "Upload-Offset"));
        await AssertRefusedAsync(patch, HttpStatusCode.NotFound);
        await AssertRefusedAsync(delete, HttpStatusCode.NotFound);
        await AssertRefusedAsync(get, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task G6_allowed_origin_gets_cors_on_preflight_success_and_errors()
    {
        var preflight = Client.Request(HttpMethod.Options, tus: false);
        preflight.Headers.TryAddWithoutValidation("Origin", TusServers.AllowedOrigin);
        preflight.Headers.TryAddWithoutValidation("Access-Control-Request-Method", "PATCH");
        preflight.Headers.TryAddWithoutValidation("Access-Control-Request-Headers", "tus-resumable,upload-offset");
        using var preflighted = await Client.SendAsync(preflight);

        var create = Client.Request(HttpMethod.Post);
        create.Headers.TryAddWithoutValidation("Origin", TusServers.AllowedOrigin);
        create.Headers.TryAddWithoutValidation("Upload-Length", "1");
        using var created = await Client.SendAsync(create);

        var missing = Client.Request(HttpMethod.Head, new Uri(Client.Server.Files, new string('a', 32)));
        missing.Headers.TryAddWithoutValidation("Origin", TusServers.AllowedOrigin);
        using var notFound = await Client.SendAsync(missing);

        Assert.Equal(HttpStatusCode.NoContent, preflighted.StatusCode);
        Assert.Equal(TusServers.AllowedOrigin, TusClient.Header(preflighted, "Access-Control-Allow-Origin"));
        var allowMethods = TusClient.Header(preflighted, "Access-Control-Allow-Methods");
        Assert.Contains("PATCH", allowMethods, StringComparison.Ordinal);
        var allowHeaders = TusClient.Header(preflighted, "Access-Control-Allow-Headers")!;
        foreach (var header in (string[])["Tus-Resumable", "Upload-Offset", "Upload-Length", "Upload-Metadata",
                     "Upload-Defer-Length", "Upload-Concat", "Upload-Checksum", "X-HTTP-Method-Override"])
        {
            Assert.Contains(header, allowHeaders, StringComparison.OrdinalIgnoreCase);
        }

        foreach (var response in new[] { created, notFound })
        {
            Assert.Equal(TusServers.AllowedOrigin, TusClient.Header(response, "Access-Control-Allow-Origin"));
            var exposed = TusClient.Header(response, "Access-Control-Expose-Headers")!;
            foreach (var header in (string[])["Location", "Upload-Offset", "Upload-Length", "Upload-Metadata",
                         "Upload-Defer-Length", "Upload-Concat", "Upload-Expires", "Tus-Resumable", "Tus-Version",
                         "Tus-Extension", "Tus-Max-Size", "Tus-Checksum-Algorithm", "Upload-Processing-State"])
            {
                Assert.Contains(header, exposed, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task G6_disallowed_origin_gets_no_cors_headers()
    {
        var preflight = Client.Request(HttpMethod.Options, tus: false);
        preflight.Headers.TryAddWithoutValidation("Origin", "https://evil.example");
        preflight.Headers.TryAddWithoutValidation("Access-Control-Request-Method", "PATCH");
        using var preflighted = await Client.SendAsync(preflight);

        var create = Client.Request(HttpMethod.Post);
        create.Headers.TryAddWithoutValidation("Origin", "https://evil.example");
        create.Headers.TryAddWithoutValidation("Upload-Length", "1");
        using var created = await Client.SendAsync(create);

        Assert.Null(TusClient.Header(preflighted, "Access-Control-Allow-Origin"));
        Assert.Null(TusClient.Header(created, "Access-Control-Allow-Origin"));
        Assert.Null(TusClient.Header(created, "Access-Control-Expose-Headers"));
    }

    [Fact]
    public async Task G6_our_405_for_an_unknown_method_carries_cors_for_an_allowed_origin_only()
    {
        var allowed = Client.Request(new HttpMethod("PROPFIND"));
        allowed.Headers.TryAddWithoutValidation("Origin", TusServers.AllowedOrigin);
        using var answered = await Client.SendAsync(allowed);

        var disallowed = Client.Request(new HttpMethod("PROPFIND"));
        disallowed.Headers.TryAddWithoutValidation("Origin", "https://evil.example");
        using var refused = await Client.SendAsync(disallowed);

        // Answered before routing (UnknownMethodRejection), yet with the headers every other answer of the endpoint
        // has, so that a script on the allowed origin can read the status and reason.
        Assert.Equal(HttpStatusCode.MethodNotAllowed, answered.StatusCode);
        Assert.Equal(TusServers.AllowedOrigin, TusClient.Header(answered, "Access-Control-Allow-Origin"));
        Assert.Contains("Upload-Offset", TusClient.Header(answered, "Access-Control-Expose-Headers"),
            StringComparison.Ordinal);
        Assert.Equal("Origin", TusClient.Header(answered, "Vary"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, refused.StatusCode);
        Assert.Null(TusClient.Header(refused, "Access-Control-Allow-Origin"));
        Assert.Null(TusClient.Header(refused, "Access-Control-Expose-Headers"));
    }

    [Fact]
    public async Task O1_options_advertises_version_extensions_max_size_and_checksums()
    {
        using var response = await Client.SendAsync(Client.Request(HttpMethod.Options));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("1.0.0", TusClient.Header(response, "Tus-Version"));
        Assert.Equal(Extensions + ",expiration", TusClient.Header(response, "Tus-Extension"));
        Assert.Equal(TusServers.MaxSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            TusClient.Header(response, "Tus-Max-Size"));
        Assert.Equal("sha1,md5,sha256,sha512", TusClient.Header(response, "Tus-Checksum-Algorithm"));
    }

    [Fact]
    public async Task O1_without_limit_or_expiry_there_is_no_max_size_and_no_expiration_extension()
    {
        await using var server = await Servers.StartServerAsync(new Dictionary<string, string>
        {
            ["Tus:MaxSize"] = "0",
            ["Tus:Expiry"] = "00:00:00",
        });
        using var client = new TusClient(server);

        using var response = await client.SendAsync(client.Request(HttpMethod.Options));
        using var created = await client.PostAsync(5);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(Extensions, TusClient.Header(response, "Tus-Extension"));
        Assert.Null(TusClient.Header(response, "Tus-Max-Size"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Null(TusClient.Header(created, "Upload-Expires"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("0.0.1")]
    [InlineData("garbage")]
    public async Task O2_options_ignores_tus_resumable(string? version)
    {
        var request = Client.Request(HttpMethod.Options, tus: false);
        if (version is not null)
        {
            request.Headers.TryAddWithoutValidation("Tus-Resumable", version);
        }

        using var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("1.0.0", TusClient.Header(response, "Tus-Version"));
    }
}
