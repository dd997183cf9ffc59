using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using TusUpload.Server.IntegrationTests.Harness;

namespace TusUpload.Server.IntegrationTests.Conformance;

public abstract partial class ConformanceSuite
{
    [Fact]
    public async Task K1_options_lists_the_four_checksum_algorithms_in_lower_case()
    {
        using var response = await Client.SendAsync(Client.Request(HttpMethod.Options));

        Assert.Equal("sha1,md5,sha256,sha512", TusClient.Header(response, "Tus-Checksum-Algorithm"));
        Assert.Contains("checksum-trailer", TusClient.Header(response, "Tus-Extension"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sha1")]
    [InlineData("md5")]
    [InlineData("sha256")]
    [InlineData("sha512")]
    public async Task K2_a_matching_checksum_covers_only_this_requests_body(string algorithm)
    {
        var body = TusClient.RandomBytes(100_000);
        var upload = await Client.CreateAsync(body.Length);

        using var first = await Client.PatchAsync(upload, 0, body[..40_000], Checksum(algorithm, body[..40_000]));
        using var second = await Client.PatchAsync(upload, 40_000, body[40_000..],
            Checksum(algorithm, body[40_000..]));

        Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, second.StatusCode);
        Assert.Equal(TusClient.Sha256(body), TusClient.Sha256(await Client.DownloadAsync(upload)));
    }

    [Fact]
    public async Task K3_checksum_mismatch_returns_460_and_discards_the_whole_chunk()
    {
        var body = TusClient.RandomBytes(300_000);
        var upload = await Client.CreateAsync(body.Length);
        using (var first = await Client.PatchAsync(upload, 0, body[..1000]))
        {
            Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        }

        var before = await SnapshotAsync();

        using var response = await Client.PatchAsync(upload, 1000, body[1000..], Checksum("sha256", body));

        await AssertRefusedAsync(response, (HttpStatusCode)460);
        Assert.Equal(1000, await Client.OffsetAsync(upload));
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task K3_empty_patch_with_a_checksum_not_of_the_empty_body_returns_460_and_changes_nothing()
    {
        var upload = await Client.CreateAsync(10);
        using (var first = await Client.PatchAsync(upload, 0, [1, 2]))
        {
            Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        }

        var before = await SnapshotAsync();

        using var mismatch = await Client.PatchAsync(upload, 2, [], Checksum("sha256", [1]));
        using var matching = await Client.PatchAsync(upload, 2, [], Checksum("sha256", []));

        await AssertRefusedAsync(mismatch, (HttpStatusCode)460);
        Assert.Equal(HttpStatusCode.NoContent, matching.StatusCode);
        Assert.Equal(2, await Client.OffsetAsync(upload));
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task K3_checksum_mismatch_in_a_post_with_body_returns_460_with_location_and_offset_zero()
    {
        var body = TusClient.RandomBytes(10_000);

        using var response = await Client.PostAsync(body.Length, body: body,
            headers: Checksum("sha256", body[1..]));
        var upload = response.Headers.Location;

        await AssertRefusedAsync(response, (HttpStatusCode)460);
        Assert.NotNull(upload);
        Assert.Equal(0, HeaderNumber(response, "Upload-Offset"));
        Assert.Equal(0, await Client.OffsetAsync(upload));
    }

    [Theory]
    [InlineData("crc32 AAAAAA==")]
    [InlineData("SHA1 2jmj7l5rSw0yVb/vlWAYkK/YBwk=")]
    [InlineData("sha1")]
    [InlineData("sha1 not*base64")]
    [InlineData("sha256 2jmj7l5rSw0yVb/vlWAYkK/YBwk=")]
    public async Task K4_unsupported_algorithm_or_malformed_checksum_returns_400_and_discards_the_chunk(string header)
    {
        var upload = await Client.CreateAsync(10);
        var before = await SnapshotAsync();

        using var response = await Client.PatchAsync(upload, 0, new byte[10],
            new Dictionary<string, string> { ["Upload-Checksum"] = header });

        await AssertRefusedAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(0, await Client.OffsetAsync(upload));
        Assert.Equal(before, await SnapshotAsync());
    }

    [Theory]
    [InlineData("good", 204)]
    [InlineData("wrong", 460)]
    [InlineData("missing", 400)]
    [InlineData("malformed", 400)]
    public async Task K5_checksum_in_a_trailer_is_verified_and_a_bad_or_missing_one_discards_the_chunk(
        string trailer,
        int status)
    {
        var body = TusClient.RandomBytes(120_000);
        var upload = await Client.CreateAsync(body.Length);
        var digest = Convert.ToBase64String(SHA1.HashData(body));
        var trailerLine = trailer switch
        {
            "good" => $"Upload-Checksum: sha1 {digest}\r\n",
            "wrong" => $"Upload-Checksum: sha1 {Convert.ToBase64String(SHA1.HashData(body[1..]))}\r\n",
            "malformed" => "Upload-Checksum: sha1\r\n",
            _ => string.Empty,
        };
        await using var raw = await RawHttp.ConnectAsync(Client.Server.BaseAddress);

        await raw.SendAsync(PatchHead(upload, 0, contentLength: null, "Trailer: Upload-Checksum\r\n"));
        await raw.SendAsync(Chunked(body, 16_384));
        await raw.SendAsync($"0\r\n{trailerLine}\r\n");
        var response = await raw.ReadResponseAsync();

        Assert.Equal(status, response!.StatusCode);
        Assert.Equal(status == 204 ? body.Length : 0, await Client.OffsetAsync(upload));
        if (status == 204)
        {
            Assert.Equal(TusClient.Sha256(body), TusClient.Sha256(await Client.DownloadAsync(upload)));
        }
    }

    private static Dictionary<string, string> Checksum(string algorithm, byte[] body)
    {
        var digest = algorithm switch
        {
            "sha1" => SHA1.HashData(body),
            "md5" => MD5.HashData(body),
            "sha256" => SHA256.HashData(body),
            _ => SHA512.HashData(body),
        };
        return new Dictionary<string, string>
        {
            ["Upload-Checksum"] = string.Create(CultureInfo.InvariantCulture,
                $"{algorithm} {Convert.ToBase64String(digest)}"),
        };
    }
}
