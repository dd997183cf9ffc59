using System.Text.Json;
using Microsoft.Extensions.Caching.Memory;

namespace TusUpload.Store.S3;

/// <summary>
/// The newest info object this process wrote or read, per upload, so that a request which has just read the upload
/// under its lock (or written it) need not read it again: the chunk that follows the protocol's read, the completion
/// mark that follows the final commit, the worker's read after its own state read. Entries are ordered by the info's
/// revision, so a slow read that answers late never replaces a newer entry. Callers use an entry only where the
/// lock makes it current, and compare it with what they were handed; anything else reads S3.
/// Kept as JSON, so every caller gets its own copy to change.
/// </summary>
public sealed class S3StateCache : IDisposable
{
    /// <summary>Bytes of JSON kept at most: an info object is about 1 KiB, plus about 100 bytes per part.</summary>
    private const long MaxBytes = 16L * 1024 * 1024;
    private static readonly TimeSpan Idle = TimeSpan.FromMinutes(2);

    private readonly MemoryCache _entries = new(new MemoryCacheOptions { SizeLimit = MaxBytes });
    private readonly Lock _gate = new();

    public void Remember(string uploadId, long revision, byte[] json, string? etag)
    {
        lock (_gate)
        {
            // Revision 0 was written by a version without the counter: it cannot be ordered, so it is taken as is.
            if (revision > 0 && _entries.TryGetValue(uploadId, out Entry? known) && known!.Revision > revision)
            {
                return;
            }

            _entries.Set(uploadId, new Entry(revision, json, etag), new MemoryCacheEntryOptions
            {
                Size = json.Length,
                SlidingExpiration = Idle,
            });
        }
    }

    public S3UploadState? Recall(string uploadId)
    {
        if (!_entries.TryGetValue(uploadId, out Entry? entry))
        {
            return null;
        }

        var state = JsonSerializer.Deserialize(entry!.Json, S3JsonContext.Default.S3UploadState);
        state?.ETag = entry.ETag;
        return state;
    }

    public void Forget(string uploadId)
    {
        lock (_gate)
        {
            _entries.Remove(uploadId);
        }
    }

    public void Dispose() => _entries.Dispose();

    private sealed record Entry(long Revision, byte[] Json, string? ETag);
}
