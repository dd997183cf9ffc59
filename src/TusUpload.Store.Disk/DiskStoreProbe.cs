namespace TusUpload.Store.Disk;

/// <summary>Proves a folder is usable by creating it and writing, syncing and removing a small file there.</summary>
internal static class DiskStoreProbe
{
    /// <summary>Returns null when the folder is writable, otherwise the reason.</summary>
    public static string? TryWrite(string folder)
    {
        var probePath = System.IO.Path.Combine(folder, $".probe-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(folder);

            using (var probe = new FileStream(probePath, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                probe.WriteByte(1);
                probe.Flush(flushToDisk: true);
            }

            File.Delete(probePath);
            return null;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // On a full disk the file is made but its byte cannot be written: take it back, or every readiness
            // probe would leave one more behind.
            DiskStoreErrors.TryDelete(probePath);
            return exception.Message;
        }
    }
}
