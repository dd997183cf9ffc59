using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using TusUpload.Server.IntegrationTests.Harness;

namespace TusUpload.Server.IntegrationTests.Conformance;

public abstract partial class ConformanceSuite
{
    /// <summary>
    /// A PATCH refused while or before its body is read changes nothing, also when it declares the length of a
    /// deferred upload: the length stays undeclared, and offset and storage stay as the same refusal leaves an
    /// upload whose length was known. The upload holds 5 bytes; the length is 10 (5 for "no room").
    /// </summary>
    [Theory]
    [InlineData("chunked overrun", true, 413)]
    [InlineData("chunked overrun", false, 413)]
    [InlineData("no room", true, 413)]
    [InlineData("checksum header mismatch", true, 460)]
    [InlineData("checksum header mismatch", false, 460)]
    [InlineData("checksum trailer mismatch", true, 460)]
    [InlineData("checksum trailer mismatch", false, 460)]
    [InlineData("announced trailer missing", true, 400)]
    [InlineData("announced trailer missing", false, 400)]
    [InlineData("content length past the length", true, 413)]
    public async Task C7_refused_patch_declares_no_length_and_keeps_nothing(string refusal, bool deferred, int status)
    {
        var length = refusal == "no room" ? 5 : 10;
        var upload = await Client.CreateAsync(deferred ? null : length);
        using (var first = await Client.PatchAsync(upload, 0, [1, 2, 3, 4, 5]))
        {
            Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        }

        var before = await SnapshotAsync();
        var lengthLine = string.Create(CultureInfo.InvariantCulture, $"Upload-Length: {length}\r\n");
        await using (var raw = await RawHttp.ConnectAsync(Client.Server.BaseAddress))
        {
            foreach (var part in RefusedPatch(refusal, upload, deferred ? lengthLine : string.Empty))
            {
                await raw.SendAsync(part);
            }

            var response = await raw.ReadResponseAsync();
            Assert.Equal(status, response!.StatusCode);
            Assert.Matches(@"^[^\r\n]+\n$", response.Body);
        }

        using var head = await Client.HeadAsync(upload);
        Assert.Equal("5", TusClient.Header(head, "Upload-Offset"));
        Assert.Equal(deferred ? null : "10", TusClient.Header(head, "Upload-Length"));
        Assert.Equal(deferred ? "1" : null, TusClient.Header(head, "Upload-Defer-Length"));
        Assert.Equal(before, await SnapshotAsync());
        Assert.Equal(0, Completions(Client.Server, upload));
    }

    /// <summary>After a refused PATCH the client may still declare another length: nothing was declared.</summary>
    [Fact]
    public async Task C7_after_a_refused_declaring_patch_a_different_length_is_accepted()
    {
        var upload = await Client.CreateAsync(null);
        using (var first = await Client.PatchAsync(upload, 0, [1, 2, 3, 4, 5]))
        {
            Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        }

        await using (var raw = await RawHttp.ConnectAsync(Client.Server.BaseAddress))
        {
            foreach (var part in RefusedPatch("chunked overrun", upload, "Upload-Length: 10\r\n"))
            {
                await raw.SendAsync(part);
            }

            Assert.Equal(413, (await raw.ReadResponseAsync())!.StatusCode);
        }

        using var declared = await Client.PatchAsync(upload, 5, [6, 7, 8], WithLength(8));

        Assert.Equal(HttpStatusCode.NoContent, declared.StatusCode);
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8], await Client.DownloadAsync(upload));
        Assert.Equal(1, Completions(Client.Server, upload));
    }

    /// <summary>
    /// A chunked body that turns out empty brings no byte to commit, yet the length it declares is stored (and
    /// completes the upload when it is the offset).
    /// </summary>
    [Theory]
    [InlineData(5, 1)]
    [InlineData(8, 0)]
    public async Task C7_empty_chunked_patch_stores_the_length_it_declares(int length, int completions)
    {
        var upload = await Client.CreateAsync(null);
        using (var first = await Client.PatchAsync(upload, 0, [1, 2, 3, 4, 5]))
        {
            Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        }

        await using (var raw = await RawHttp.ConnectAsync(Client.Server.BaseAddress))
        {
            var lengthLine = string.Create(CultureInfo.InvariantCulture, $"Upload-Length: {length}\r\n");
            await raw.SendAsync(PatchHead(upload, 5, contentLength: null, lengthLine) + "0\r\n\r\n");

            Assert.Equal(204, (await raw.ReadResponseAsync())!.StatusCode);
        }

        using var head = await Client.HeadAsync(upload);
        Assert.Equal("5", TusClient.Header(head, "Upload-Offset"));
        Assert.Equal(length.ToString(CultureInfo.InvariantCulture), TusClient.Header(head, "Upload-Length"));
        Assert.Equal(completions, await Client.Server.WaitForLogLinesAsync(
            completions, TimeSpan.FromSeconds(5), TusClient.IdOf(upload), "completed with"));
    }

    /// <summary>The wire pieces of a PATCH at offset 5 that is refused for <paramref name="refusal"/>.</summary>
    private static string[] RefusedPatch(string refusal, Uri upload, string lengthLine)
    {
        var body = new byte[] { 6, 7, 8, 9, 10 };
        var chunked = Encoding.Latin1.GetString(Chunked(body, 2));
        var wrong = "Upload-Checksum: sha256 " + Convert.ToBase64String(SHA256.HashData(body[1..])) + "\r\n";
        return refusal switch
        {
            "chunked overrun" => [
                PatchHead(upload, 5, contentLength: null, lengthLine),
                Encoding.Latin1.GetString(Chunked(new byte[21], 8)) + "0\r\n\r\n"],
            "no room" => [PatchHead(upload, 5, contentLength: null, lengthLine), chunked + "0\r\n\r\n"],
            "checksum header mismatch" => [
                PatchHead(upload, 5, body.Length, lengthLine + wrong),
                Encoding.Latin1.GetString(body)],
            "checksum trailer mismatch" => [
                PatchHead(upload, 5, contentLength: null, lengthLine + "Trailer: Upload-Checksum\r\n"),
                chunked + "0\r\n" + wrong + "\r\n"],
            "announced trailer missing" => [
                PatchHead(upload, 5, contentLength: null, lengthLine + "Trailer: Upload-Checksum\r\n"),
                chunked + "0\r\n\r\n"],
            "content length past the length" => [PatchHead(upload, 5, 6, lengthLine + "Expect: 100-continue\r\n")],
            _ => throw new ArgumentOutOfRangeException(nameof(refusal), refusal, "Unknown refusal."),
        };
    }
}
