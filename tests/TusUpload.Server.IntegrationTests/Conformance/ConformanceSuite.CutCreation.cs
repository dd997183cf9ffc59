using System.Globalization;
using System.Net;
using TusUpload.Server.IntegrationTests.Harness;

namespace TusUpload.Server.IntegrationTests.Conformance;

public abstract partial class ConformanceSuite
{
    private const int CutCreationLength = 1_000_000;
    private const int CutCreationSent = 300_000;

    [Theory]
    [InlineData("reset")]
    [InlineData("idle")]
    public async Task W4_post_whose_body_ends_without_an_answer_leaves_no_upload_and_is_recorded_terminated(
        string cut)
    {
        var body = TusClient.RandomBytes(CutCreationSent);
        var before = await SnapshotAsync();

        string id;
        await using (var raw = await RawHttp.ConnectAsync(Client.Server.BaseAddress))
        {
            await raw.SendAsync(CreationHead(CutCreationLength));
            await raw.SendAsync(body);
            id = await NewUploadIdAsync(before);

            if (cut == "reset")
            {
                raw.Reset();
            }
            else
            {
                // Silent past Tus:IdleTimeout (2 s here): the server ends the connection without an answer.
                Assert.True(await raw.WaitForCloseAsync(TimeSpan.FromSeconds(15)), "the idle POST was not ended");
            }
        }

        await WaitUntilGoneAsync(id);
        var upload = new Uri(Client.Server.Files, id);
        using var head = await Client.HeadAsync(upload);
        using var patch = await Client.PatchAsync(upload, CutCreationSent, [1]);

        Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
        await AssertRefusedAsync(patch, HttpStatusCode.NotFound);
        Assert.Equal("terminated", await Client.LedgerStateAsync(id));
        Assert.Equal(1, await Client.Server.WaitForLogLinesAsync(1, TimeSpan.FromSeconds(5), id, "no client knows"));
    }

    private string CreationHead(long length) => string.Create(
        CultureInfo.InvariantCulture,
        $"POST /files/ HTTP/1.1\r\nHost: {Client.Server.BaseAddress.Authority}\r\nTus-Resumable: 1.0.0\r\n"
        + $"Upload-Length: {length}\r\nContent-Type: application/offset+octet-stream\r\n"
        + $"Content-Length: {length}\r\n\r\n");

    /// <summary>
    /// The id of the one upload the store holds now and did not in <paramref name="before"/>: the creation is stored
    /// before its body is read, so it shows while the body is still being sent.
    /// </summary>
    private async Task<string> NewUploadIdAsync(IReadOnlyDictionary<string, long> before)
    {
        var known = before.Keys.Select(name => name.Split('.')[0]).ToHashSet();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            var added = (await SnapshotAsync()).Keys.Select(name => name.Split('.')[0])
                .Where(id => !known.Contains(id))
                .ToHashSet();
            if (added.Count > 0)
            {
                return Assert.Single(added);
            }

            Assert.True(DateTime.UtcNow < deadline, "The POST created no upload within 15 seconds.");
            await Task.Delay(50);
        }
    }

    private async Task WaitUntilGoneAsync(string id)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while ((await SnapshotAsync()).Keys.Any(name => name.Split('.')[0] == id))
        {
            Assert.True(DateTime.UtcNow < deadline, $"Upload {id} was still stored 20 seconds after its POST ended.");
            await Task.Delay(100);
        }
    }
}
