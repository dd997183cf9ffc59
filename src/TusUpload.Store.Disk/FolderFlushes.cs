using System.Collections.Concurrent;

namespace TusUpload.Store.Disk;

/// <summary>One <see cref="FolderFlush"/> per folder of the store (its root and the blob fan-out folders).</summary>
internal sealed class FolderFlushes
{
    private readonly ConcurrentDictionary<string, FolderFlush> _folders = new(StringComparer.Ordinal);

    public Task FlushAsync(string folder) =>
        _folders.GetOrAdd(folder, static path => new FolderFlush(path)).FlushAsync();
}
