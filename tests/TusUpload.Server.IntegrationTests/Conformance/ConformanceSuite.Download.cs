using System.Globalization;
using System.Net;
using System.Text;
using TusUpload.Server.IntegrationTests.Harness;

namespace TusUpload.Server.IntegrationTests.Conformance;

public abstract partial class ConformanceSuite
{
    [Fact]
    public async Task D1_complete_upload_downloads_with_exact_bytes_length_etag_and_ranges()
    {
        var body = TusClient.RandomBytes(250_000);
        var upload = await UploadAsync(body);

        using var response = await Client.GetAsync(upload);
        var content = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(TusClient.Sha256(body), TusClient.Sha256(content));
        Assert.Equal(body.Length, response.Content.Headers.ContentLength);
        Assert.NotNull(response.Headers.ETag);
        Assert.False(response.Headers.ETag.IsWeak);
        Assert.Equal("bytes", TusClient.Header(response, "Accept-Ranges"));
    }

    [Fact]
    public async Task D2_range_returns_206_or_416_and_if_none_match_returns_304()
    {
        var body = TusClient.RandomBytes(1000);
        var upload = await UploadAsync(body);
        using var full = await Client.GetAsync(upload);
        var etag = full.Headers.ETag!.Tag;

        using var middle = await Client.GetAsync(upload, "bytes=100-199");
        using var suffix = await Client.GetAsync(upload, "bytes=-10");
        using var beyond = await Client.GetAsync(upload, "bytes=1000-");
        var conditional = Client.Request(HttpMethod.Get, upload, tus: false);
        conditional.Headers.TryAddWithoutValidation("If-None-Match", etag);
        using var notModified = await Client.SendAsync(conditional);

        Assert.Equal(HttpStatusCode.PartialContent, middle.StatusCode);
        Assert.Equal("bytes 100-199/1000", middle.Content.Headers.ContentRange!.ToString());
        Assert.Equal(body[100..200], await middle.Content.ReadAsByteArrayAsync());
        Assert.Equal(body[990..], await suffix.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, beyond.StatusCode);
        Assert.Equal("bytes */1000", beyond.Content.Headers.ContentRange!.ToString());
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
    }

    [Fact]
    public async Task D2_range_with_if_range_of_the_current_etag_returns_206_or_416_as_without_it()
    {
        var body = TusClient.RandomBytes(1000);
        var upload = await UploadAsync(body);
        var etag = await EtagAsync(upload);

        using var middle = await GetWithIfRangeAsync(upload, "bytes=100-199", etag);
        using var beyond = await GetWithIfRangeAsync(upload, "bytes=1000-", etag);

        Assert.Equal(HttpStatusCode.PartialContent, middle.StatusCode);
        Assert.Equal("bytes 100-199/1000", middle.Content.Headers.ContentRange!.ToString());
        Assert.Equal(body[100..200], await middle.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, beyond.StatusCode);
        Assert.Equal("bytes */1000", beyond.Content.Headers.ContentRange!.ToString());
    }

    // The old server ignored every Range sent with If-Range, so a 200 alone proves nothing: each case first has the
    // same Range served (206) with the current ETag, then shows that its own If-Range value does not validate.
    // {0} stands for the current ETag, quotes included.
    [Theory]
    [InlineData("W/{0}")]
    [InlineData("\"another-representation\"")]
    [InlineData("Fri, 01 Jan 2100 00:00:00 GMT")]
    [InlineData("{0}x")]
    [InlineData("\"unterminated")]
    public async Task D2_range_with_if_range_that_is_not_a_strong_match_returns_200_with_everything(string ifRange)
    {
        var body = TusClient.RandomBytes(1000);
        var upload = await UploadAsync(body);
        var etag = await EtagAsync(upload);
        using var matching = await GetWithIfRangeAsync(upload, "bytes=100-199", etag);

        using var response = await GetWithIfRangeAsync(
            upload,
            "bytes=100-199",
            string.Format(CultureInfo.InvariantCulture, ifRange, etag));

        Assert.Equal(HttpStatusCode.PartialContent, matching.StatusCode);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(response.Content.Headers.ContentRange);
        Assert.Equal(body, await response.Content.ReadAsByteArrayAsync());
    }

    // "An origin server MUST NOT perform the requested method if the condition evaluates to false"; it is false when
    // no listed tag matches the current ETag by strong comparison, and "*" matches any current representation
    // (RFC 9110, 13.1.1). {0} stands for the current ETag, quotes included.
    [Theory]
    [InlineData("\"nope\"", 412)]
    [InlineData("W/{0}", 412)]
    [InlineData("\"unterminated", 412)]
    [InlineData("{0}", 206)]
    [InlineData("\"nope\", {0}", 206)]
    [InlineData("*", 206)]
    public async Task D2_if_match_without_the_current_etag_returns_412_and_no_content(string ifMatch, int status)
    {
        var body = TusClient.RandomBytes(1000);
        var upload = await UploadAsync(body);
        var etag = await EtagAsync(upload);
        var request = Client.Request(HttpMethod.Get, upload, tus: false);
        request.Headers.TryAddWithoutValidation("If-Match", string.Format(CultureInfo.InvariantCulture, ifMatch, etag));
        request.Headers.TryAddWithoutValidation("Range", "bytes=0-9");

        using var response = await Client.SendAsync(request);

        if (status == 412)
        {
            await AssertRefusedAsync(response, HttpStatusCode.PreconditionFailed);
            Assert.Null(response.Content.Headers.ContentRange);
            Assert.Null(TusClient.Header(response, "Tus-Version"));
        }
        else
        {
            Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
            Assert.Equal(body[..10], await response.Content.ReadAsByteArrayAsync());
        }
    }

    [Fact]
    public async Task D3_unfinished_upload_download_returns_409_never_5xx()
    {
        var unfinished = await Client.CreateAsync(10);
        using (var first = await Client.PatchAsync(unfinished, 0, [1, 2]))
        {
            Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        }

        var deferred = await Client.CreateAsync(null);
        var partial = await Client.CreateAsync(1, concat: "partial", body: [1]);

        using var unfinishedGet = await Client.GetAsync(unfinished);
        using var deferredGet = await Client.GetAsync(deferred);
        using var partialGet = await Client.GetAsync(partial);

        await AssertRefusedAsync(unfinishedGet, HttpStatusCode.Conflict);
        Assert.Null(unfinishedGet.Headers.RetryAfter);
        await AssertRefusedAsync(deferredGet, HttpStatusCode.Conflict);
        await AssertRefusedAsync(partialGet, HttpStatusCode.Forbidden);
    }

    [Theory]
    [InlineData("image/png", "image/png", "inline")]
    [InlineData("text/plain", "text/plain", "inline")]
    [InlineData("text/html", "text/html", "attachment")]
    [InlineData("image/svg+xml", "image/svg+xml", "attachment")]
    [InlineData("text/html; charset=utf-8", "application/octet-stream", "attachment")]
    [InlineData("not a type", "application/octet-stream", "attachment")]
    public async Task D4_download_headers_are_safe(string filetype, string contentType, string disposition)
    {
        var metadata = $"filename {B64("r\u00e9sum\u00e9 \"1\".bin")},filetype {B64(filetype)}";
        var upload = await UploadAsync([1, 2, 3], metadata);

        using var response = await Client.GetAsync(upload);

        Assert.Equal(contentType, response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("nosniff", TusClient.Header(response, "X-Content-Type-Options"));
        var header = TusClient.Header(response, "Content-Disposition")!;
        Assert.StartsWith(disposition + ";", header, StringComparison.Ordinal);
        Assert.Contains("filename*=UTF-8''r%C3%A9sum%C3%A9%20%221%22.bin", header, StringComparison.Ordinal);
        Assert.Contains("filename=\"r_sum_ _1_.bin\"", header, StringComparison.Ordinal);
    }

    private async Task<string> EtagAsync(Uri upload)
    {
        using var full = await Client.GetAsync(upload);
        Assert.Equal(HttpStatusCode.OK, full.StatusCode);
        return full.Headers.ETag!.Tag;
    }

    private async Task<HttpResponseMessage> GetWithIfRangeAsync(Uri upload, string range, string ifRange)
    {
        var request = Client.Request(HttpMethod.Get, upload, tus: false);
        request.Headers.TryAddWithoutValidation("Range", range);
        request.Headers.TryAddWithoutValidation("If-Range", ifRange);
        return await Client.SendAsync(request);
    }

    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
}
