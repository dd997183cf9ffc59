using System.Security.Cryptography;
using System.Text;
using TusUpload.Pipeline.Ledger;

namespace TusUpload.Pipeline.IntegrationTests.Ledger;

/// <summary>Upload ids and verdicts for ledger tests.</summary>
internal static class LedgerTestData
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    public static string NewUploadId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public static string Sha256Of(string content) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content)));

    public static ContentVerdict Clean(string content) =>
        new(Sha256Of(content), Encoding.UTF8.GetByteCount(content), Infected: false, Signature: null);

    /// <summary>Records an upload as created and received, then begins its processing.</summary>
    public static async Task<string> ProcessingUploadAsync(IUploadLedger ledger, long length)
    {
        var uploadId = NewUploadId();
        await ledger.RecordCreatedAsync(uploadId, length, CancellationToken.None).WaitAsync(Wait);
        await ledger.RecordReceivedAsync(uploadId, length, CancellationToken.None).WaitAsync(Wait);
        Assert.True(await ledger.BeginProcessingAsync(uploadId, CancellationToken.None).WaitAsync(Wait));
        return uploadId;
    }

    /// <summary>Records <paramref name="count"/> uploads as received, each with one unsent outbox row.</summary>
    public static async Task<string[]> ReceivedUploadsAsync(IUploadLedger ledger, int count)
    {
        var ids = new string[count];
        for (var i = 0; i < count; i++)
        {
            ids[i] = NewUploadId();
            await ledger.RecordReceivedAsync(ids[i], 1, CancellationToken.None).WaitAsync(Wait);
        }

        return ids;
    }
}
