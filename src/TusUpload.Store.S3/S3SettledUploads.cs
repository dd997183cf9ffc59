using System.Globalization;
using TusUpload.Protocol.Parsing;
using TusUpload.Protocol.Storage;

namespace TusUpload.Store.S3;

/// <summary>
/// The uploads this process has read as settled (complete, completion recorded, not a partial), each with the ETag
/// of the info object it read. Such an upload can never expire or need recovery, and it cannot become unsettled
/// without its info object changing, so the expiry sweep's listing skips reading it while the listed ETag is the one
/// remembered: without this every sweep read every info object in the bucket, one GET per upload ever kept. An
/// entry is two 128-bit numbers (about 45 bytes with the table's overhead, twice that while a listing runs); at
/// most <see cref="MaxEntries"/> are kept, after which further settled uploads are read at each sweep as before.
/// The memory is this process's only: after a restart the first sweep reads everything once.
/// </summary>
internal sealed class S3SettledUploads
{
    /// <summary>About 45 MB of entries.</summary>
    public const int MaxEntries = 1_000_000;

    private readonly Lock _gate = new();

    private Dictionary<UInt128, UInt128> _settled = [];

    /// <summary>True when the upload was read settled at exactly this listed ETag.</summary>
    public bool IsSettledAt(string uploadId, string? listedETag)
    {
        if (!TryKeys(uploadId, listedETag, out var id, out var etag))
        {
            return false;
        }

        lock (_gate)
        {
            return _settled.TryGetValue(id, out var known) && known == etag;
        }
    }

    /// <summary>Whether an upload in this state is settled: nothing a sweep does can apply to it any more.</summary>
    public static bool IsSettled(S3UploadState state) =>
        state.CompletionRecorded && state.ConcatKind != UploadConcatKind.Partial && state.Length == state.Offset;

    /// <summary>Starts a listing: the uploads seen settled in it replace what was kept when it ends complete.</summary>
    public Listing StartListing() => new(this);

    private static bool TryKeys(string uploadId, string? etag, out UInt128 id, out UInt128 tag)
    {
        (id, tag) = (default, default);
        return uploadId.Length == UploadIds.Length
            && UInt128.TryParse(uploadId, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out id)
            && etag is not null
            && UInt128.TryParse(
                etag.AsSpan().Trim('"'),
                NumberStyles.AllowHexSpecifier,
                CultureInfo.InvariantCulture,
                out tag);
    }

    /// <summary>One pass over the bucket's info objects, in the order the listing gives them.</summary>
    internal sealed class Listing(S3SettledUploads owner)
    {
        private readonly Dictionary<UInt128, UInt128> _seen = [];

        /// <summary>Keeps an upload for the next listing: it was read or remembered settled at this ETag.</summary>
        public void Settled(string uploadId, string? etag)
        {
            if (_seen.Count < MaxEntries && TryKeys(uploadId, etag, out var id, out var tag))
            {
                _seen[id] = tag;
            }
        }

        /// <summary>
        /// The listing went through to its end: uploads not seen in it are gone (deleted here or by another
        /// instance), so only what it saw is kept. A listing cut short changes nothing.
        /// </summary>
        public void Complete()
        {
            lock (owner._gate)
            {
                owner._settled = _seen;
            }
        }
    }
}
