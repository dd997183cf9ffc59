using Microsoft.Extensions.Options;
using TusUpload.Pipeline;
using TusUpload.Pipeline.Ledger;
using TusUpload.Store.Disk;

namespace TusUpload.Server;

/// <summary>
/// Makes this process the only server on its local data before anything reads or changes it. With in-process
/// locking the disk store's folder must have one server, or two writers could interleave bytes in one upload; a
/// SQLite ledger must have one server, whose start frees every outbox claim as a dead run's. A second server
/// started by mistake on the same data (another port, say) is refused with one line instead.
/// A separate worker process shares both and takes no claim: it never writes into an upload or claims outbox rows.
/// </summary>
public sealed class LocalDataClaim : IDisposable
{
    /// <summary>Name of the lock file in the disk store's folder.</summary>
    public const string FolderLockName = ".server.lock";

    /// <summary>Appended to the SQLite ledger's path for its lock file.</summary>
    public const string LedgerLockSuffix = ".server.lock";

    private readonly List<ExclusiveFileLock> _locks = [];

    private LocalDataClaim()
    {
    }

    /// <summary>Claims what the store and ledger keep locally; throws when another server holds it.</summary>
    public static LocalDataClaim Take(IServiceProvider services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        var claim = new LocalDataClaim();
        try
        {
            if (StoreRegistration.StoreKind(configuration) == "disk"
                && StoreRegistration.LockingKind(configuration) == "inprocess")
            {
                var folder = Path.GetFullPath(services.GetRequiredService<IOptions<DiskStoreOptions>>().Value.Path);
                Directory.CreateDirectory(folder);
                claim.Add(Path.Combine(folder, FolderLockName), "Store:Disk:Path", folder);
            }

            var ledger = services.GetRequiredService<IOptions<LedgerOptions>>().Value;
            if (ledger.Kind == LedgerKinds.Sqlite)
            {
                var path = Path.GetFullPath(ledger.Path);

                // SQLite follows a symbolic link to its file (the WAL sits beside the target), so the lock file does
                // too: a second server given a link to the first one's ledger shares that file and must be refused.
                var file = new FileInfo(path).LinkTarget is null
                    ? path
                    : File.ResolveLinkTarget(path, returnFinalTarget: true)!.FullName;
                claim.Add(file + LedgerLockSuffix, "Ledger:Path", path);
            }

            return claim;
        }
        catch
        {
            claim.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        foreach (var held in _locks)
        {
            held.Dispose();
        }

        _locks.Clear();
    }

    private void Add(string lockPath, string setting, string value)
    {
        ExclusiveFileLock? held;
        int? holder;
        try
        {
            held = ExclusiveFileLock.TryTake(lockPath, out holder);
        }
        catch (Exception unusable) when (unusable is IOException or UnauthorizedAccessException)
        {
            // The operator has to fix the folder (a link or a folder in the lock file's place, a file another user
            // owns): one line, as for a folder the server cannot write, rather than a crash with a stack trace.
            throw HostSettings.Refuse(setting, $"{setting} {value} cannot be claimed: {unusable.Message}");
        }

        if (held is null)
        {
            var by = holder is { } id ? $"another TusUpload server (process {id})" : "another TusUpload server";
            throw new LocalDataInUseException($"{setting} {value} is in use by {by}; one server owns its local data.");
        }

        _locks.Add(held);
    }
}
