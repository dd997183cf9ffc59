using TusUpload.Protocol.Storage;

namespace TusUpload.Store.Disk;

/// <summary>Turns file-system failures into store errors the protocol maps to status codes.</summary>
internal static class DiskStoreErrors
{
    private const int NoSpace = 28;
    private const int QuotaExceeded = 122;

    public static bool IsDiskFull(IOException exception) =>
        exception.HResult is NoSpace or QuotaExceeded
        || (exception.HResult & 0xFFFF) is 0x70 or 0x27; // ERROR_DISK_FULL, ERROR_HANDLE_DISK_FULL on Windows

    /// <summary>
    /// A full disk or a failing device is the operator's problem and passes with time or intervention, so it is
    /// reported as unavailable (503, clients retry) rather than as a fault of the request.
    /// </summary>
    public static UploadStoreException Translate(Exception exception, string uploadId, string operation) =>
        TranslateFor(exception, "upload " + uploadId, operation);

    /// <summary>As <see cref="Translate"/>, for what <paramref name="subject"/> names ("blob 9a2e…").</summary>
    public static UploadStoreException TranslateFor(Exception exception, string subject, string operation)
    {
        return exception switch
        {
            UploadStoreException store => store,
            IOException io when IsDiskFull(io) => new UploadStoreException(
                UploadStoreError.Unavailable,
                $"The disk store is full while {operation} {subject}.",
                io),
            IOException io => new UploadStoreException(
                UploadStoreError.Unavailable,
                $"Disk I/O failed while {operation} {subject}.",
                io),
            _ => new UploadStoreException(
                UploadStoreError.Unknown,
                $"The disk store failed while {operation} {subject}.",
                exception),
        };
    }

    public static bool IsFileSystemFailure(Exception exception) =>
        exception is IOException or UnauthorizedAccessException;

    /// <summary>
    /// Deletes a file the store made and no longer wants, best effort: returns the file-system failure that left it
    /// behind, or null. For cleanup after another failure, which must not hide that failure.
    /// </summary>
    public static Exception? TryDelete(string path)
    {
        try
        {
            File.Delete(path);
            return null;
        }
        catch (Exception exception) when (IsFileSystemFailure(exception))
        {
            return exception;
        }
    }
}
