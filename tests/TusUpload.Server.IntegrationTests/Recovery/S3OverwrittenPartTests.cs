using System.Net;
using TusUpload.Server.IntegrationTests.Harness;

namespace TusUpload.Server.IntegrationTests.Recovery;

/// <summary>
/// A multipart part overwritten after it was recorded (a late request of a writer that lost the upload) makes S3
/// refuse the assembly. The upload is set back to the parts S3 still holds as recorded, the request answers 503
/// saying from which offset the bytes must be sent again, and the client's resume from HEAD completes it.
/// </summary>
[Collection(S3Collection.Name)]
public sealed class S3OverwrittenPartTests(S3Servers servers)
{
    /// <summary>The part size the store derives for the main server's 64 MiB limit.</summary>
    private const int PartSize = 5 * 1024 * 1024;

    private const int Tail = 4096;

    [Fact]
    public async Task Final_patch_meeting_an_overwritten_part_answers_503_and_the_resumed_upload_completes()
    {
        var source = TusClient.RandomBytes((2 * PartSize) + Tail);
        using var client = new TusClient(servers.Main);
        var upload = await client.CreateAsync(source.Length);
        using (var parts = await client.PatchAsync(upload, 0, source[..(2 * PartSize)]))
        {
            Assert.Equal(HttpStatusCode.NoContent, parts.StatusCode);
        }

        await S3Servers.OverwritePartAsync(servers.Main, TusClient.IdOf(upload), 2, TusClient.RandomBytes(PartSize));
        using var last = await client.PatchAsync(upload, 2 * PartSize, source[(2 * PartSize)..]);
        var reason = await last.Content.ReadAsStringAsync();
        var offset = await client.OffsetAsync(upload);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, last.StatusCode);
        Assert.Contains($"from offset {PartSize} were lost and must be sent again", reason, StringComparison.Ordinal);
        Assert.Equal(PartSize, offset);
        await AssertResumeCompletesAsync(client, upload, source, PartSize);
    }

    [Fact]
    public async Task Completion_repair_meeting_an_overwritten_part_rewinds_before_the_ledger_hears_of_it()
    {
        var source = TusClient.RandomBytes((2 * PartSize) + Tail);
        using var client = new TusClient(servers.Main);
        var upload = await client.CreateAsync(source.Length);
        var id = TusClient.IdOf(upload);
        using (var parts = await client.PatchAsync(upload, 0, source[..(2 * PartSize)]))
        {
            Assert.Equal(HttpStatusCode.NoContent, parts.StatusCode);
        }

        await S3Servers.RecordLastPartUnassembledAsync(servers.Main, id, 3, source[(2 * PartSize)..]);
        var recordedOffset = await client.OffsetAsync(upload);
        await S3Servers.OverwritePartAsync(servers.Main, id, 1, TusClient.RandomBytes(PartSize));
        using var retry = await client.PatchAsync(upload, source.Length, []);
        var reason = await retry.Content.ReadAsStringAsync();
        var offset = await client.OffsetAsync(upload);
        var ledgerState = await client.LedgerStateAsync(id);

        Assert.Equal(source.Length, recordedOffset);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, retry.StatusCode);
        Assert.Contains("from offset 0 were lost and must be sent again", reason, StringComparison.Ordinal);
        Assert.Equal(0, offset);
        Assert.Equal("receiving", ledgerState);
        await AssertResumeCompletesAsync(client, upload, source, 0);
    }

    private static async Task AssertResumeCompletesAsync(TusClient client, Uri upload, byte[] source, int offset)
    {
        using var resumed = await client.PatchAsync(upload, offset, source[offset..]);
        Assert.Equal(HttpStatusCode.NoContent, resumed.StatusCode);

        var downloaded = await client.DownloadAsync(upload);
        Assert.Equal(TusClient.Sha256(source), TusClient.Sha256(downloaded));
    }
}
