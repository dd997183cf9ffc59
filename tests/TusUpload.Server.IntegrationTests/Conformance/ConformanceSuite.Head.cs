using System.Net;
using TusUpload.Server.IntegrationTests.Harness;

namespace TusUpload.Server.IntegrationTests.Conformance;

public abstract partial class ConformanceSuite
{
    [Fact]
    public async Task H1_head_reports_offset_zero_when_fresh_then_progress_then_length_when_complete()
    {
        var upload = await Client.CreateAsync(6);

        var fresh = await Client.OffsetAsync(upload);
        using (var first = await Client.PatchAsync(upload, 0, [1, 2, 3]))
        {
            Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        }

        var partway = await Client.OffsetAsync(upload);
        using (var second = await Client.PatchAsync(upload, 3, [4, 5, 6]))
        {
            Assert.Equal(HttpStatusCode.NoContent, second.StatusCode);
        }

        var complete = await Client.OffsetAsync(upload);

        Assert.Equal(0, fresh);
        Assert.Equal(3, partway);
        Assert.Equal(6, complete);
    }

    [Fact]
    public async Task H2_head_reports_length_when_known_and_defer_length_while_deferred()
    {
        var known = await Client.CreateAsync(42);
        var deferred = await Client.CreateAsync(null);

        using var knownHead = await Client.HeadAsync(known);
        using var deferredHead = await Client.HeadAsync(deferred);

        Assert.Equal("42", TusClient.Header(knownHead, "Upload-Length"));
        Assert.Null(TusClient.Header(knownHead, "Upload-Defer-Length"));
        Assert.Equal("1", TusClient.Header(deferredHead, "Upload-Defer-Length"));
        Assert.Null(TusClient.Header(deferredHead, "Upload-Length"));
    }

    [Fact]
    public async Task H3_head_returns_metadata_exactly_as_received()
    {
        const string Metadata = "filename aGVsbG8udHh0,filetype dGV4dC9wbGFpbg==,empty,also-empty ";
        var upload = await Client.CreateAsync(1, Metadata);

        using var head = await Client.HeadAsync(upload);

        Assert.Equal(Metadata.TrimEnd(), TusClient.Header(head, "Upload-Metadata"));
    }

    [Fact]
    public async Task H4_head_is_never_cached()
    {
        var upload = await Client.CreateAsync(1);

        using var head = await Client.HeadAsync(upload);

        Assert.Equal("no-store", TusClient.Header(head, "Cache-Control"));
    }

    [Fact]
    public async Task H5_head_returns_upload_concat_of_partial_and_final_uploads()
    {
        var first = await Client.CreateAsync(2, concat: "partial", body: [1, 2]);
        var second = await Client.CreateAsync(1, concat: "partial", body: [3]);
        var final = await Client.CreateAsync(null, concat: $"final;{first.AbsolutePath} {second.AbsoluteUri}");

        using var partialHead = await Client.HeadAsync(first);
        using var finalHead = await Client.HeadAsync(final);

        Assert.Equal("partial", TusClient.Header(partialHead, "Upload-Concat"));
        Assert.Equal($"final;{first.AbsoluteUri} {second.AbsoluteUri}", TusClient.Header(finalHead, "Upload-Concat"));
    }

    [Fact]
    public async Task H6_head_returns_upload_expires_while_the_upload_can_expire()
    {
        var unfinished = await Client.CreateAsync(10);
        var complete = await UploadAsync([1, 2, 3]);

        using var unfinishedHead = await Client.HeadAsync(unfinished);
        using var completeHead = await Client.HeadAsync(complete);

        var expires = DateTimeOffset.Parse(TusClient.Header(unfinishedHead, "Upload-Expires")!,
            System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(expires, DateTimeOffset.UtcNow.AddHours(23), DateTimeOffset.UtcNow.AddHours(25));
        Assert.EndsWith("GMT", TusClient.Header(unfinishedHead, "Upload-Expires"), StringComparison.Ordinal);
        Assert.Null(TusClient.Header(completeHead, "Upload-Expires"));
    }
}
