using System.Runtime.InteropServices;

namespace TusUpload.Store.S3;

/// <summary>A seekable read-only stream over (pooled) array memory, so the S3 client can rewind it to retry.</summary>
internal static class ReadOnlyMemoryStream
{
    public static MemoryStream Of(ReadOnlyMemory<byte> data)
    {
        return MemoryMarshal.TryGetArray(data, out var segment) && segment.Array is { } array
            ? new MemoryStream(array, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(data.ToArray(), writable: false);
    }
}
