using System.Net;
using TusUpload.Server.IntegrationTests.Harness;

namespace TusUpload.Server.IntegrationTests.Conformance;

public abstract partial class ConformanceSuite
{
    [Fact]
    public async Task X1_partial_uploads_are_created_with_or_without_a_body()
    {
        var withBody = await Client.CreateAsync(3, concat: "partial", body: [1, 2, 3]);
        var withoutBody = await Client.CreateAsync(2, concat: "partial");
        using var patched = await Client.PatchAsync(withoutBody, 0, [4, 5]);

        using var head = await Client.HeadAsync(withBody);

        Assert.Equal("partial", TusClient.Header(head, "Upload-Concat"));
        Assert.Equal(3, HeaderNumber(head, "Upload-Offset"));
        Assert.Equal(HttpStatusCode.NoContent, patched.StatusCode);
    }

    [Fact]
    public async Task X2_final_concatenates_partials_in_listed_order_with_absolute_relative_and_repeated_urls()
    {
        var a = TusClient.RandomBytes(70_000);
        var b = TusClient.RandomBytes(30_000);
        var first = await Client.CreateAsync(a.Length, concat: "partial", body: a);
        var second = await Client.CreateAsync(b.Length, concat: "partial", body: b);

        using var response = await Client.PostAsync(null,
            concat: $"final;{second.AbsoluteUri} {first.AbsolutePath} {second.AbsolutePath}");
        var final = response.Headers.Location!;
        using var head = await Client.HeadAsync(final);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(b.Length + a.Length + b.Length, HeaderNumber(response, "Upload-Offset"));
        Assert.Equal(b.Length + a.Length + b.Length, HeaderNumber(head, "Upload-Length"));
        Assert.Equal(HeaderNumber(head, "Upload-Length"), HeaderNumber(head, "Upload-Offset"));
        Assert.Equal(TusClient.Sha256([.. b, .. a, .. b]), TusClient.Sha256(await Client.DownloadAsync(final)));
    }

    [Fact]
    public async Task X2_final_longer_than_MaxConcatCopies_times_its_distinct_partials_returns_400_and_creates_nothing()
    {
        var partial = await Client.CreateAsync(1000, concat: "partial", body: TusClient.RandomBytes(1000));
        var before = await SnapshotAsync();

        using var response = await Client.PostAsync(
            null,
            concat: "final;" + string.Join(' ', Enumerable.Repeat(partial.AbsolutePath, 5)));

        await AssertRefusedAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(
            "A final upload may be at most 4 times as long as its distinct partials together (1000 bytes); "
            + "this list makes it 5000 bytes.\n",
            await response.Content.ReadAsStringAsync());
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task X2_partials_repeated_up_to_MaxConcatCopies_times_their_distinct_length_are_concatenated()
    {
        // The bound is on bytes, not on listings: a small partial may repeat often beside a large one.
        var large = TusClient.RandomBytes(10_000);
        var small = TusClient.RandomBytes(10);
        var largeUpload = await Client.CreateAsync(large.Length, concat: "partial", body: large);
        var smallUpload = await Client.CreateAsync(small.Length, concat: "partial", body: small);
        var smallListings = Enumerable.Repeat(smallUpload.AbsolutePath, 50);

        using var mixed = await Client.PostAsync(
            null,
            concat: $"final;{largeUpload.AbsolutePath} " + string.Join(' ', smallListings));
        using var fourfold = await Client.PostAsync(
            null,
            concat: "final;" + string.Join(' ', Enumerable.Repeat(largeUpload.AbsolutePath, 4)));

        Assert.Equal(HttpStatusCode.Created, mixed.StatusCode);
        Assert.Equal(large.Length + (50 * small.Length), HeaderNumber(mixed, "Upload-Offset"));
        Assert.Equal(HttpStatusCode.Created, fourfold.StatusCode);
        Assert.Equal(
            TusClient.Sha256([.. large, .. large, .. large, .. large]),
            TusClient.Sha256(await Client.DownloadAsync(fourfold.Headers.Location!)));
    }

    [Theory]
    [InlineData("Upload-Length", "2")]
    [InlineData("Upload-Defer-Length", "1")]
    public async Task X2_final_with_a_length_header_returns_400_naming_that_header(string header, string value)
    {
        var partial = await Client.CreateAsync(2, concat: "partial", body: [1, 2]);
        var before = await SnapshotAsync();

        using var response = await Client.PostAsync(null, concat: $"final;{partial.AbsolutePath}",
            headers: new Dictionary<string, string> { [header] = value });

        await AssertRefusedAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(
            $"A final upload takes its length from its partials; omit {header}.\n",
            await response.Content.ReadAsStringAsync());
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task X3_patch_on_a_final_upload_returns_403_and_changes_nothing()
    {
        var part = await Client.CreateAsync(2, concat: "partial", body: [1, 2]);
        var final = await Client.CreateAsync(null, concat: $"final;{part.AbsolutePath}");
        var before = await SnapshotAsync();

        using var response = await Client.PatchAsync(final, 2, [3]);

        await AssertRefusedAsync(response, HttpStatusCode.Forbidden);
        Assert.Equal(before, await SnapshotAsync());
        Assert.Equal([1, 2], await Client.DownloadAsync(final));
    }

    [Fact]
    public async Task X4_final_with_unfinished_non_partial_unknown_or_foreign_uploads_returns_400()
    {
        var complete = await Client.CreateAsync(1, concat: "partial", body: [1]);
        var unfinished = await Client.CreateAsync(5, concat: "partial", body: [1]);
        var plain = await UploadAsync([1]);
        var unknown = new Uri(Client.Server.Files, new string('b', 32));
        var foreign = new Uri($"http://other.example{complete.AbsolutePath}");
        var before = await SnapshotAsync();

        foreach (var bad in new[] { unfinished, plain, unknown, foreign })
        {
            var concat = $"final;{complete.AbsolutePath} {bad.AbsoluteUri}";
            using var response = await Client.PostAsync(null, concat: concat);
            await AssertRefusedAsync(response, HttpStatusCode.BadRequest);
        }

        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task X5_final_upload_has_only_its_own_metadata()
    {
        var part = await Client.CreateAsync(1, "filename cGFydC5iaW4=", [1], "partial");

        using var withOwn = await Client.PostAsync(null, "filename ZmluYWwuYmlu", concat: $"final;{part.AbsolutePath}",
            headers: new Dictionary<string, string> { ["Idempotency-Key"] = "x5-own" });
        using var withNone = await Client.PostAsync(null, concat: $"final;{part.AbsolutePath}",
            headers: new Dictionary<string, string> { ["Idempotency-Key"] = "x5-none" });
        using var ownHead = await Client.HeadAsync(withOwn.Headers.Location!);
        using var noneHead = await Client.HeadAsync(withNone.Headers.Location!);

        Assert.Equal("filename ZmluYWwuYmlu", TusClient.Header(ownHead, "Upload-Metadata"));
        Assert.Null(TusClient.Header(noneHead, "Upload-Metadata"));
    }

    [Fact]
    public async Task X6_partials_are_not_completed_as_uploads_only_the_final_is()
    {
        var first = await Client.CreateAsync(2, concat: "partial", body: [1, 2]);
        var second = await Client.CreateAsync(2, concat: "partial");
        using (var patched = await Client.PatchAsync(second, 0, [3, 4]))
        {
            Assert.Equal(HttpStatusCode.NoContent, patched.StatusCode);
        }

        var final = await Client.CreateAsync(null, concat: $"final;{first.AbsolutePath} {second.AbsolutePath}");

        Assert.Equal(1, await Client.Server.WaitForLogLinesAsync(1, TimeSpan.FromSeconds(5),
            TusClient.IdOf(final), "completed with"));
        Assert.Equal(0, Completions(Client.Server, first));
        Assert.Equal(0, Completions(Client.Server, second));
    }

    [Fact]
    public async Task X7_retried_final_creation_returns_the_same_final_and_completes_once()
    {
        var first = await Client.CreateAsync(2, concat: "partial", body: [1, 2]);
        var second = await Client.CreateAsync(1, concat: "partial", body: [3]);
        var concat = $"final;{first.AbsolutePath} {second.AbsolutePath}";
        var keyed = new Dictionary<string, string> { ["Idempotency-Key"] = Guid.NewGuid().ToString() };

        var original = await Client.CreateAsync(null, concat: concat);
        var retried = await Client.CreateAsync(null, concat: concat);
        var withKey = await Client.CreateAsync(null, concat: concat);
        using var keyedOnce = await Client.PostAsync(null, concat: concat, headers: keyed);
        using var keyedTwice = await Client.PostAsync(null, concat: concat, headers: keyed);

        Assert.Equal(original, retried);
        Assert.Equal(original, withKey);
        Assert.Equal(HttpStatusCode.Created, keyedOnce.StatusCode);
        Assert.Equal(keyedOnce.Headers.Location, keyedTwice.Headers.Location);
        Assert.NotEqual(original, keyedOnce.Headers.Location);
        Assert.Equal(1, Completions(Client.Server, original));
        Assert.Equal(1, Completions(Client.Server, keyedOnce.Headers.Location!));
        Assert.Equal([1, 2, 3], await Client.DownloadAsync(original));
    }
}
