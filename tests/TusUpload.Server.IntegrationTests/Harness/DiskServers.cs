using System.Security.Cryptography;
using TusUpload.Store.Disk;

namespace TusUpload.Server.IntegrationTests.Harness;

/// <summary>The conformance servers over the embedded disk store, each with its own data directory.</summary>
public sealed class DiskServers : TusServers
{
    /// <summary>Marks a complete upload in a snapshot: processing may later move its data into a blob.</summary>
    public const long Complete = -1;

    public static string DataDirectory(TusServerProcess server) => Path.Combine(server.WorkDirectory, "uploads");

    /// <summary>
    /// Every file of every unfinished upload with a fingerprint of its content, and each complete upload once. The
    /// pipeline works on complete uploads in the background (data released into <c>blobs/</c>), so only their
    /// existence is compared. Content, not size: an info file keeps its size when its state changes.
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
            if (name == LocalDataClaim.FolderLockName)
            {
                // The server's claim on the folder, not upload data; it is exclusively locked while the server runs.
                continue;
            }

            var id = name.Split('.')[0];
            if (await IsCompleteAsync(id, Path.Combine(root, id + DiskStoreLayout.InfoSuffix)))
            {
                snapshot[id] = Complete;
                continue;
            }

            snapshot[name] = await FingerprintAsync(path);
        }

        return snapshot;
    }

    protected override IReadOnlyDictionary<string, string> StoreSettings(string workDirectory) =>
        new Dictionary<string, string>
        {
            ["Store:Kind"] = "disk",
            ["Store:Disk:Path"] = Path.Combine(workDirectory, "uploads"),
        };

    /// <summary>
    /// The newest state a reader of the info file sees (null when it does not exist or never finished).
    /// </summary>
    internal static async Task<InfoRecord?> ReadInfoAsync(string infoPath)
    {
        var bytes = await File.ReadAllBytesAsync(infoPath).WaitAsync(TimeSpan.FromSeconds(5));
        return UploadInfoFile.Decode(bytes, infoPath, hiddenSequence: 0);
    }

    private static async Task<bool> IsCompleteAsync(string id, string infoPath)
    {
        try
        {
            return await ReadInfoAsync(infoPath) is { Upload: { IsComplete: true } upload } && upload.Id == id;
        }
        catch (Exception exception) when (exception is IOException or InvalidDataException)
        {
            // Missing (never created, or deleted this instant): treat as unfinished, its files then count.
            return false;
        }
    }

    private static async Task<long> FingerprintAsync(string path)
    {
        try
        {
            var bytes = await File.ReadAllBytesAsync(path).WaitAsync(TimeSpan.FromSeconds(5));
            return BitConverter.ToInt64(SHA256.HashData(bytes));
        }
        catch (FileNotFoundException)
        {
            return 0;
        }
    }
}
