using System.Runtime.InteropServices;

namespace TusUpload.Store.Disk;

/// <summary>
/// The aligned buffers direct writes stage in, shared by the whole process and bounded: a chunk that finds none
/// free writes through the page cache as before, so a spike of large uploads costs at most
/// <see cref="MaxBuffers"/> × <see cref="BufferSize"/> of memory here, never one pair per request. Buffers are made
/// on first use and kept; pinned arrays, so their addresses stay where the alignment was computed.
/// </summary>
internal static class DirectBuffers
{
    /// <summary>Bytes per direct write. Under a few MiB a virtual disk's cost per write shows; above, none.</summary>
    public const int BufferSize = 4 * 1024 * 1024;

    /// <summary>Buffers in the process at most: four chunks writing directly at once, two buffers each.</summary>
    public const int MaxBuffers = 8;

    private static readonly Stack<Memory<byte>> Free = new();
    private static int _made;

    /// <summary>
    /// Two buffers, one filling while the other is written; false (and none taken) when fewer than two are left.
    /// </summary>
    public static bool TryRentPair(out Memory<byte> first, out Memory<byte> second)
    {
        lock (Free)
        {
            if (Free.Count + (MaxBuffers - _made) < 2)
            {
                first = second = default;
                return false;
            }

            first = Take();
            second = Take();
            return true;
        }
    }

    public static void Return(Memory<byte> buffer)
    {
        lock (Free)
        {
            Free.Push(buffer);
        }
    }

    private static Memory<byte> Take()
    {
        if (Free.TryPop(out var buffer))
        {
            return buffer;
        }

        _made++;
        var array = GC.AllocateUninitializedArray<byte>(BufferSize + DirectIo.Alignment, pinned: true);
        var address = Marshal.UnsafeAddrOfPinnedArrayElement(array, 0);
        var skip = (int)((DirectIo.Alignment - (address.ToInt64() % DirectIo.Alignment)) % DirectIo.Alignment);
        return array.AsMemory(skip, BufferSize);
    }
}
