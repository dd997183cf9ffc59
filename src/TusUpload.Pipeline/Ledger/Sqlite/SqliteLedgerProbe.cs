namespace TusUpload.Pipeline.Ledger.Sqlite;

/// <summary>
/// Proves at start-up that the SQLite ledger file can be made where <c>Ledger:Path</c> says: a folder that cannot
/// be created or written passed validation and then stopped the start with SQLite's "unable to open database
/// file" and a stack trace.
/// </summary>
internal static class SqliteLedgerProbe
{
    /// <summary>Returns null when the file's folder is writable and the path is no folder, else the reason.</summary>
    public static string? TryWrite(string path)
    {
        var fullPath = Path.GetFullPath(path);
        if (Directory.Exists(fullPath))
        {
            return "it is a folder; name the database file in it";
        }

        var folder = Path.GetDirectoryName(fullPath)!;
        var probePath = Path.Combine(folder, $".ledger-probe-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(folder);
            using (var probe = new FileStream(probePath, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                probe.WriteByte(1);
            }

            File.Delete(probePath);
            return null;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // The file may have been made before its byte failed (a full disk): leave nothing behind.
            try
            {
                File.Delete(probePath);
            }
            catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
            {
                // Nothing more to do; the reason below is what the operator needs.
            }

            return exception.Message;
        }
    }
}
