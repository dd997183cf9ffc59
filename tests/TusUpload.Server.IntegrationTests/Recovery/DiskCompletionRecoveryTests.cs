using System.Net;
using TusUpload.Server.IntegrationTests.Harness;
using TusUpload.Store.Disk;

namespace TusUpload.Server.IntegrationTests.Recovery;

/// <summary>
/// Crash recovery of completions on the disk store: an upload whose bytes are complete but whose completion was
/// never marked recorded (a crash between the two) is completed by the start-up sweep of the next server.
/// </summary>
[Collection(DiskCollection.Name)]
public sealed class DiskCompletionRecoveryTests(DiskServers servers)
{
    [Fact]
    public async Task Start_up_sweep_records_a_completion_a_crash_left_unrecorded_exactly_once()
    {
        var workDirectory = TusServers.NewWorkDirectory();
        await using var first = await servers.StartServerAsync(TusServers.MainSettings, workDirectory);
        Uri upload;
        using (var client = new TusClient(first))
        {
            using var created = await client.PostAsync(3, body: [1, 2, 3]);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            upload = created.Headers.Location!;
        }

        var id = TusClient.IdOf(upload);
        await first.StopGracefullyAsync(TimeSpan.FromSeconds(30));
        var infoPath = Path.Combine(DiskServers.DataDirectory(first), id + DiskStoreLayout.InfoSuffix);
        await LoseCompletionFlagAsync(infoPath);

        await using var second = await servers.StartServerAsync(TusServers.MainSettings, workDirectory);
        var recorded = await second.WaitForLogLinesAsync(1, TimeSpan.FromSeconds(15), id, "completed with");
        await Task.Delay(300);

        Assert.Equal(1, recorded);
        Assert.Equal(1, second.CountLogLines(id, "completed with"));
        Assert.True(await ReadCompletionRecordedAsync(infoPath));
    }

    /// <summary>
    /// What a power cut can do to the flag, which is written without fdatasync: its slot is torn, so readers fall
    /// back to the other slot, which holds the complete upload with its completion not yet recorded.
    /// </summary>
    private static async Task LoseCompletionFlagAsync(string infoPath)
    {
        var newest = await DiskServers.ReadInfoAsync(infoPath);
        Assert.True(newest!.Value.Upload.CompletionRecorded);

        var bytes = await File.ReadAllBytesAsync(infoPath);
        bytes[(newest.Value.Slot * newest.Value.SlotBytes) + InfoSlot.HeaderBytes + 1] ^= 0xFF;
        await File.WriteAllBytesAsync(infoPath, bytes);

        var survivor = await DiskServers.ReadInfoAsync(infoPath);
        Assert.True(survivor!.Value.Upload.IsComplete);
        Assert.False(survivor.Value.Upload.CompletionRecorded);
    }

    private static async Task<bool> ReadCompletionRecordedAsync(string infoPath) =>
        (await DiskServers.ReadInfoAsync(infoPath))!.Value.Upload.CompletionRecorded;
}
