using System.Text.Json;

namespace TusUpload.Server.IntegrationTests.Harness;

/// <summary>The conformance servers over the embedded disk store, each with its own data directory.</summary>
public sealed class DiskServers : TusServers
{
    /// <summary>Marks a complete upload in a snapshot: processing may later move its data into a blob.</summary>
    public const long Complete = -1;

    public static string DataDirectory(TusServerProcess server) => Path.Combine(server.WorkDirectory, "uploads");

    /// <summary>
    /// Every file of every unfinished upload with its size, and each complete upload once. The pipeline works on
    /// complete uploads in the background (data released into <c>blobs/</c>), so only their existence is compared.
    /// </summary>
    public override async Task<IReadOnlyDictionary<string, long>> SnapshotStorageAsync(TusServerProcess server)
    {
        var root = DataDirectory(server);
        var snapshot = new Dictionary<string, long>();
        if (!Directory.Exists(root))
        {
            return snapshot;
        }

        foreach (var path in Directory.EnumerateFiles(root, "*", SearchOption.TopDirectoryOnly))
        {
            var name = Path.GetFileName(path);
            var id = name.Split('.')[0];
            if (await IsCompleteAsync(Path.Combine(root, id + ".info.json")))
            {
                snapshot[id] = Complete;
                continue;
            }

            snapshot[name] = File.Exists(path) ? new FileInfo(path).Length : 0;
        }

        return snapshot;
    }

    protected override IReadOnlyDictionary<string, string> StoreSettings(string workDirectory) =>
        new Dictionary<string, string>
        {
            ["Store:Kind"] = "disk",
            ["Store:Disk:Path"] = Path.Combine(workDirectory, "uploads"),
        };

    private static async Task<bool> IsCompleteAsync(string infoPath)
    {
        try
        {
            await using var stream = File.OpenRead(infoPath);
            using var info = await JsonDocument.ParseAsync(stream).WaitAsync(TimeSpan.FromSeconds(5));
            var root = info.RootElement;
            return root.TryGetProperty("length", out var length) && length.ValueKind == JsonValueKind.Number
                && root.TryGetProperty("offset", out var offset) && offset.GetInt64() == length.GetInt64();
        }
        catch (Exception exception) when (exception is IOException or JsonException)
        {
            // Missing or being replaced atomically this instant: treat as unfinished, its sizes then count.
            return false;
        }
    }
}
