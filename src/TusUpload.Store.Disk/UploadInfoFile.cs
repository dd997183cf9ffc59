using System.Text.Json;
using TusUpload.Protocol.Storage;

namespace TusUpload.Store.Disk;

/// <summary>
/// Reads and atomically replaces info files: write a temp file, fsync it, rename it over the old one, fsync the
/// folder. A reader therefore sees the old or the new state, never a half-written one, even after a crash.
/// </summary>
internal static class UploadInfoFile
{
    public static async Task<UploadInfo?> ReadAsync(string infoPath, CancellationToken cancellationToken)
    {
        byte[] json;
        try
        {
            json = await File.ReadAllBytesAsync(infoPath, cancellationToken);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }

        return Parse(json, infoPath);
    }

    public static UploadInfo Parse(ReadOnlySpan<byte> json, string infoPath)
    {
        var document = JsonSerializer.Deserialize(json, UploadInfoJsonContext.Default.UploadInfoDocument)
            ?? throw new InvalidDataException($"Info file {infoPath} is empty.");

        if (document.Version != 1 || !DiskStoreLayout.IsValidId(document.Id) || document.Offset < 0)
        {
            throw new InvalidDataException($"Info file {infoPath} does not describe an upload.");
        }

        return document.ToUploadInfo();
    }

    public static async Task WriteAsync(string infoPath, UploadInfo upload, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(
            UploadInfoDocument.From(upload),
            UploadInfoJsonContext.Default.UploadInfoDocument);
        var tempPath = infoPath + ".tmp";

        await using (var temp = new FileStream(
            tempPath,
            FileMode.Create,
            FileAccess.Write,
            FileShare.None,
            bufferSize: 0,
            FileOptions.Asynchronous))
        {
            await temp.WriteAsync(json, cancellationToken);
            temp.Flush(flushToDisk: true);
        }

        File.Move(tempPath, infoPath, overwrite: true);

        DirectorySync.Flush(Path.GetDirectoryName(infoPath)!);
    }
}
