using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace TusUpload.Store.Disk;

/// <summary>
/// Opens a second handle on a data file that bypasses the page cache (Linux <c>O_DIRECT</c>). On the virtual disks
/// this server is built for, a long write through the page cache and its writeback reaches the device at about 60 %
/// of the rate that aligned direct writes of a few MiB do, and the page-cache copy costs CPU besides.
/// .NET has no option for it on Unix, so the flag is set on a fresh open file description of the same inode:
/// reopening <c>/proc/self/fd/N</c> names exactly the file already open (no path race), and the original handle,
/// which the store keeps for unaligned bytes, stays buffered because the flag belongs to the description.
/// </summary>
internal static partial class DirectIo
{
    /// <summary>File offsets, lengths and buffer addresses of direct writes are multiples of this.</summary>
    public const int Alignment = 4096;

    private const int GetStatusFlags = 3;
    private const int SetStatusFlags = 4;

    /// <summary>Errno of a direct write the file system cannot take as it is (alignment, no support).</summary>
    public const int InvalidArgument = 22;

    /// <summary>
    /// A direct handle on the file <paramref name="data"/> has open, or null where there is none: not Linux, an
    /// architecture whose flag value is not known here, or a file system that refuses the flag (some do, as
    /// tmpfs did before Linux 6.6). The caller then keeps writing through the page cache.
    /// </summary>
    public static SafeFileHandle? TryReopen(SafeFileHandle data)
    {
        if (!OperatingSystem.IsLinux() || DirectFlag() is not { } flag)
        {
            return null;
        }

        SafeFileHandle? direct = null;
        try
        {
            direct = File.OpenHandle($"/proc/self/fd/{data.DangerousGetHandle()}", FileMode.Open, FileAccess.Write);
            var descriptor = (int)direct.DangerousGetHandle();
            var flags = Fcntl(descriptor, GetStatusFlags, 0);
            if (flags < 0 || Fcntl(descriptor, SetStatusFlags, flags | flag) != 0
                || (Fcntl(descriptor, GetStatusFlags, 0) & flag) == 0)
            {
                direct.Dispose();
                return null;
            }

            return direct;
        }
        catch (Exception exception) when (DiskStoreErrors.IsFileSystemFailure(exception))
        {
            direct?.Dispose();
            return null;
        }
    }

    // The flag's value differs between architectures (asm-generic's 040000 is x86's, arm's is 0200000).
    private static int? DirectFlag() => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 or Architecture.X86 => 0x4000,
        Architecture.Arm64 or Architecture.Arm => 0x10000,
        _ => null,
    };

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int descriptor, int command, int argument);
}
