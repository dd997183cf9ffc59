using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace TusUpload.Store.Disk;

/// <summary>
/// fsync of a directory, which makes a rename or a new file name durable, and fdatasync. .NET refuses to open
/// directories and has no fdatasync, so this calls libc. On Windows, where NTFS journals names itself, the folder
/// flush does nothing.
/// </summary>
internal static partial class DirectorySync
{
    public const int ErrnoExists = 17;

    private const int OpenReadOnly = 0;
    private const int OpenDirectory = 0x10000;
    private const int OpenCloseOnExec = 0x80000;

    public static void Flush(string folder)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var descriptor = Open(folder, OpenReadOnly | OpenDirectory | OpenCloseOnExec);
        if (descriptor < 0)
        {
            throw new IOException($"Cannot open folder {folder} to sync it (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (Fsync(descriptor) != 0)
            {
                throw new IOException($"fsync of folder {folder} failed (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = Close(descriptor);
        }
    }

    /// <summary>
    /// fdatasync where there is one: the bytes and whatever metadata reading them needs (size, blocks), but not the
    /// modification time, whose journal commit an in-place overwrite would otherwise pay for every time.
    /// </summary>
    public static void DataSync(SafeFileHandle file)
    {
        if (!OperatingSystem.IsLinux())
        {
            RandomAccess.FlushToDisk(file);
            return;
        }

        var added = false;
        try
        {
            file.DangerousAddRef(ref added);
            if (Fdatasync((int)file.DangerousGetHandle()) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                throw new IOException($"fdatasync failed (errno {errno}).", errno);
            }
        }
        finally
        {
            if (added)
            {
                file.DangerousRelease();
            }
        }
    }

    /// <summary>Gives <paramref name="existing"/> a second name; false when <paramref name="link"/> exists.</summary>
    public static bool TryHardLink(string existing, string link, out int errno)
    {
        errno = 0;
        if (!OperatingSystem.IsLinux())
        {
            errno = -1;
            return false;
        }

        if (Link(existing, link) == 0)
        {
            return true;
        }

        errno = Marshal.GetLastPInvokeError();
        return false;
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int descriptor);

    [LibraryImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    private static partial int Fdatasync(int descriptor);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int descriptor);

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string existing, string link);
}
