using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace TusUpload.Server;

/// <summary>
/// An exclusive lock on a small file, held by this process until disposed or until the process ends in any way
/// (the kernel drops it with the last descriptor, so a <c>kill -9</c> leaves no stale lock behind). The file keeps
/// the holder's process id for the refusal message; the file itself is left in place, only the lock matters.
/// </summary>
internal sealed partial class ExclusiveFileLock : IDisposable
{
    private const int LockExclusive = 2;
    private const int LockNonBlocking = 4;

    // EWOULDBLOCK: 11 on Linux, 35 on macOS and the BSDs.
    private static readonly int s_errnoWouldBlock = OperatingSystem.IsLinux() ? 11 : 35;

    private readonly SafeFileHandle _handle;

    private ExclusiveFileLock(SafeFileHandle handle)
    {
        _handle = handle;
    }

    /// <summary>
    /// Takes the lock on <paramref name="path"/>, creating the file if needed; null when another process holds it,
    /// with that process's id in <paramref name="holder"/> when it could be read. Throws an
    /// <see cref="IOException"/> or <see cref="UnauthorizedAccessException"/> when the file cannot be used.
    /// </summary>
    public static ExclusiveFileLock? TryTake(string path, out int? holder)
    {
        holder = null;

        // Opening follows a symbolic link, and writing the holder's id through one would replace the content of
        // whatever file it names (or create one there), with the server's rights, often root's in a container.
        if (new FileInfo(path).LinkTarget is not null)
        {
            throw new IOException($"{path} is a symbolic link, not a lock file; remove it.");
        }

        if (Directory.Exists(path))
        {
            throw new IOException($"{path} is a folder, not a lock file; remove it.");
        }

        // .NET's own advisory lock is switched off for this host (System.IO.DisableFileLocking), so the lock is
        // taken explicitly with flock. On Windows an open without sharing is already exclusive.
        var share = OperatingSystem.IsWindows() ? FileShare.None : FileShare.ReadWrite;
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, share);
        }
        catch (IOException) when (OperatingSystem.IsWindows())
        {
            return null;
        }

        try
        {
            if (!OperatingSystem.IsWindows() && Flock(handle, LockExclusive | LockNonBlocking) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                holder = ReadHolder(handle);
                handle.Dispose();
                return errno == s_errnoWouldBlock
                    ? null
                    : throw new IOException($"Cannot lock {path} (errno {errno}).", errno);
            }

            WriteHolder(handle);
            return new ExclusiveFileLock(handle);
        }
        catch (NotSupportedException notAFile)
        {
            // A pipe or a device in its place cannot be truncated or written at an offset.
            handle.Dispose();
            throw new IOException($"{path} is not a regular file; remove it.", notAFile);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    public void Dispose() => _handle.Dispose();

    private static int? ReadHolder(SafeFileHandle handle)
    {
        var bytes = new byte[16];
        var read = RandomAccess.Read(handle, bytes, 0);
        return int.TryParse(Encoding.ASCII.GetString(bytes, 0, read).Trim(), CultureInfo.InvariantCulture, out var id)
            ? id
            : null;
    }

    private static void WriteHolder(SafeFileHandle handle)
    {
        // Not synced: the id only names the holder in a refusal while the lock is held, and a crash drops both.
        var bytes = Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
        RandomAccess.SetLength(handle, 0);
        RandomAccess.Write(handle, bytes, 0);
    }

    private static int Flock(SafeFileHandle handle, int operation)
    {
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            return FlockCall((int)handle.DangerousGetHandle(), operation);
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int FlockCall(int descriptor, int operation);
}
