using Microsoft.Win32.SafeHandles;
using TusUpload.Protocol.Storage;

namespace TusUpload.Store.Disk;

public sealed partial class DiskUploadStore
{
    public async Task<IChunkWriter> OpenChunkAsync(
        UploadInfo upload,
        ChunkOptions options,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(upload);
        ArgumentNullException.ThrowIfNull(options);

        // The info file on disk is the truth; the caller's copy may predate a checkpoint of an earlier writer.
        var durable = await GetRequiredAsync(upload.Id, cancellationToken);
        var newLength = options.DeclaredLength is { } length && IsNewLength(durable, length) ? length : (long?)null;

        SafeFileHandle? data = null;
        try
        {
            data = File.OpenHandle(_layout.DataPath(durable.Id), FileMode.OpenOrCreate, FileAccess.ReadWrite);
            TruncateLeftovers(data, durable);
            DiskStoreLog.ChunkOpened(_logger, durable.Id, durable.Offset);
            return new DiskChunkWriter(this, data, durable, newLength, options, _checkpointBytes, _logger);
        }
        catch (Exception exception) when (DiskStoreErrors.IsFileSystemFailure(exception))
        {
            data?.Dispose();
            throw Fail(exception, durable.Id, "opening a chunk of");
        }
        catch
        {
            data?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Bytes past the durable offset were never acknowledged (a crash or a discarded chunk left them); a new
    /// chunk starts at the offset, so they go. Fewer bytes than the offset means the info lies: refuse.
    /// </summary>
    private void TruncateLeftovers(SafeFileHandle data, UploadInfo durable)
    {
        var dataLength = RandomAccess.GetLength(data);
        if (dataLength < durable.Offset)
        {
            DiskStoreLog.DataShorterThanOffset(_logger, durable.Id, durable.Offset, dataLength);
            throw new UploadStoreException(
                UploadStoreError.Unknown,
                $"Upload {durable.Id} is damaged: its data is shorter than its offset.");
        }

        if (dataLength > durable.Offset)
        {
            RandomAccess.SetLength(data, durable.Offset);
            DiskStoreLog.LeftoversTruncated(_logger, durable.Id, dataLength - durable.Offset, durable.Offset);
        }
    }
}
