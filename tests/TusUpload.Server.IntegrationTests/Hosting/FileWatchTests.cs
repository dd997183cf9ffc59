using System.Net;
using TusUpload.Server.IntegrationTests.Harness;

namespace TusUpload.Server.IntegrationTests.Hosting;

/// <summary>
/// The default data folder lies inside the content root. A host that reloads its settings on change watches the
/// content root recursively, so every upload's file events would wake it; the server must watch nothing.
/// </summary>
public sealed class FileWatchTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Server_with_its_data_in_the_content_root_watches_no_folder()
    {
        var work = TusServers.NewWorkDirectory();
        await using var server = await TusServerProcess.StartAsync(
            new Dictionary<string, string> { ["contentRoot"] = work },
            work).WaitAsync(s_timeout);
        using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = s_timeout };

        using var create = new HttpRequestMessage(HttpMethod.Post, "/files/");
        create.Headers.Add("Tus-Resumable", "1.0.0");
        create.Headers.Add("Upload-Length", "3");
        create.Content = new ByteArrayContent("abc"u8.ToArray());
        create.Content.Headers.ContentType = new("application/offset+octet-stream");
        using var created = await http.SendAsync(create).WaitAsync(s_timeout);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.True(
            Directory.Exists(Path.Combine(work, "data", "uploads")),
            "the default data folder is in the content root");
        Assert.Equal(0, InotifyWatches(server.ProcessId));
    }

    /// <summary>Watches held by the process, from the <c>inotify wd:</c> lines of its inotify descriptors.</summary>
    private static int InotifyWatches(int processId)
    {
        var watches = 0;
        foreach (var descriptor in Directory.GetFiles($"/proc/{processId}/fd"))
        {
            var target = new FileInfo(descriptor).LinkTarget;
            if (target == "anon_inode:inotify")
            {
                var info = File.ReadAllLines($"/proc/{processId}/fdinfo/{Path.GetFileName(descriptor)}");
                watches += info.Count(line => line.StartsWith("inotify wd:", StringComparison.Ordinal));
            }
        }

        return watches;
    }
}
