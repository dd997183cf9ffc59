using System.Net;
using System.Text.Json.Nodes;
using TusUpload.Server.IntegrationTests.Harness;

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
        var infoPath = Path.Combine(DiskServers.DataDirectory(first), id + ".info.json");
        await SetCompletionRecordedAsync(infoPath, false);

        await using var second = await servers.StartServerAsync(TusServers.MainSettings, workDirectory);
        var recorded = await second.WaitForLogLinesAsync(1, TimeSpan.FromSeconds(15), id, "completed with");
        await Task.Delay(300);

        Assert.Equal(1, recorded);
        Assert.Equal(1, second.CountLogLines(id, "completed with"));
        Assert.True(await ReadCompletionRecordedAsync(infoPath));
    }

    private static async Task SetCompletionRecordedAsync(string infoPath, bool value)
    {
        var info = JsonNode.Parse(await File.ReadAllTextAsync(infoPath))!;
        Assert.True(info["completionRecorded"]!.GetValue<bool>());
        info["completionRecorded"] = value;
        await File.WriteAllTextAsync(infoPath, info.ToJsonString());
    }

    private static async Task<bool> ReadCompletionRecordedAsync(string infoPath)
    {
        var info = JsonNode.Parse(await File.ReadAllTextAsync(infoPath))!;
        return info["completionRecorded"]!.GetValue<bool>();
    }
}
