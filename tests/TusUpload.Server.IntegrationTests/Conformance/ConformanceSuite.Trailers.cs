using System.Security.Cryptography;
using TusUpload.Server.IntegrationTests.Harness;

namespace TusUpload.Server.IntegrationTests.Conformance;

public abstract partial class ConformanceSuite
{
    [Theory]
    [InlineData("good", 204)]
    [InlineData("wrong", 460)]
    [InlineData("none", 204)]
    public async Task K5_unannounced_checksum_trailer_of_a_chunked_body_is_still_verified(string trailer, int status)
    {
        var body = TusClient.RandomBytes(90_000);
        var upload = await Client.CreateAsync(body.Length);
        var trailerLine = trailer switch
        {
            "good" => $"Upload-Checksum: sha256 {Convert.ToBase64String(SHA256.HashData(body))}\r\n",
            "wrong" => $"Upload-Checksum: sha256 {Convert.ToBase64String(SHA256.HashData(body[1..]))}\r\n",
            _ => string.Empty,
        };
        await using var raw = await RawHttp.ConnectAsync(Client.Server.BaseAddress);

        // No "Trailer: Upload-Checksum" announcement: HTTP only says a sender SHOULD announce its trailers.
        await raw.SendAsync(PatchHead(upload, 0, contentLength: null));
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

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task K5_two_checksum_trailers_return_400_and_discard_the_chunk(bool announced)
    {
        var body = TusClient.RandomBytes(20_000);
        var upload = await Client.CreateAsync(body.Length);
        var good = $"Upload-Checksum: sha256 {Convert.ToBase64String(SHA256.HashData(body))}\r\n";
        var wrong = $"Upload-Checksum: sha256 {Convert.ToBase64String(SHA256.HashData(body[1..]))}\r\n";
        await using var raw = await RawHttp.ConnectAsync(Client.Server.BaseAddress);

        var announcement = announced ? "Trailer: Upload-Checksum\r\n" : null;
        await raw.SendAsync(PatchHead(upload, 0, contentLength: null, announcement));
        await raw.SendAsync(Chunked(body, 16_384));
        await raw.SendAsync($"0\r\n{good}{wrong}\r\n");
        var response = await raw.ReadResponseAsync();

        Assert.Equal(400, response!.StatusCode);
        Assert.Equal("The Upload-Checksum trailer must appear once.\n", response.Body);
        Assert.Equal(0, await Client.OffsetAsync(upload));
    }

    [Theory]
    [InlineData("contradicting")]
    [InlineData("malformed")]
    [InlineData("the same")]
    public async Task K5_an_unannounced_checksum_trailer_after_a_checksum_header_returns_400_and_discards_the_chunk(
        string trailer)
    {
        var body = TusClient.RandomBytes(20_000);
        var upload = await Client.CreateAsync(body.Length);
        var header = $"Upload-Checksum: sha256 {Convert.ToBase64String(SHA256.HashData(body))}\r\n";
        var trailerLine = trailer switch
        {
            "contradicting" => $"Upload-Checksum: sha256 {Convert.ToBase64String(SHA256.HashData(body[1..]))}\r\n",
            "malformed" => "Upload-Checksum: nonsense\r\n",
            _ => header,
        };
        await using var raw = await RawHttp.ConnectAsync(Client.Server.BaseAddress);

        // The same request with "Trailer: Upload-Checksum" is refused before its body is read; unannounced, the
        // trailer counts all the same, only later.
        await raw.SendAsync(PatchHead(upload, 0, contentLength: null, header));
        await raw.SendAsync(Chunked(body, 16_384));
        await raw.SendAsync($"0\r\n{trailerLine}\r\n");
        var response = await raw.ReadResponseAsync();

        Assert.Equal(400, response!.StatusCode);
        Assert.Equal("Send Upload-Checksum as a header or as a trailer, not both.\n", response.Body);
        Assert.Equal(0, await Client.OffsetAsync(upload));
    }
}
