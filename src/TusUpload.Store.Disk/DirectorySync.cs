using System.Runtime.InteropServices;

namespace TusUpload.Store.Disk;

/// <summary>
/// fsync of a directory, which makes a rename or a new file name durable. .NET refuses to open directories, so
/// this calls libc. On Windows, where NTFS journals names itself, it does nothing.
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

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int descriptor);

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string existing, string link);
}
