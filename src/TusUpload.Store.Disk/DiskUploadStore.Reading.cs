using System.Buffers;
using Microsoft.Win32.SafeHandles;
using TusUpload.Protocol.Storage;

namespace TusUpload.Store.Disk;

public sealed partial class DiskUploadStore
{
    private const int CopyBufferBytes = 1024 * 1024;

    public Task<Stream> OpenReadAsync(UploadInfo upload, long start, long count, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(upload);
        DiskStoreLayout.RequireValidId(upload.Id);
        if (start < 0 || count < 0 || start + count > upload.Offset)
        {
            throw new ArgumentOutOfRangeException(nameof(count), "The range must lie within the stored bytes.");
        }

        return Task.FromResult(OpenWindow(_layout.DataPath(upload.Id), upload.Id, start, count));
    }

    public async Task<UploadInfo> ConcatenateAsync(
        UploadInfo final,
        IReadOnlyList<UploadInfo> partials,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(final);
        ArgumentNullException.ThrowIfNull(partials);

        var length = 0L;
        foreach (var partial in partials)
        {
            DiskStoreLayout.RequireValidId(partial.Id);
            if (!partial.IsComplete)
            {
                throw new UploadStoreException($"Partial upload {partial.Id} is not complete.");
            }

            length += partial.Offset;
        }

        var target = await GetRequiredAsync(final.Id, cancellationToken);
        try
        {
            using var data = File.OpenHandle(_layout.DataPath(target.Id), FileMode.Create, FileAccess.Write);
            try
            {
                await CopyPartialsAsync(data, partials, cancellationToken);
                DirectorySync.DataSync(data);
            }
            catch
            {
                DiscardCopiedBytes(data, target.Id);
                throw;
            }
        }
        catch (Exception exception) when (DiskStoreErrors.IsFileSystemFailure(exception))
        {
            throw Fail(exception, target.Id, "concatenating into");
        }

        var completed = await SaveAsync(
            target with { Length = length, Offset = length },
            "completing",
            cancellationToken);
        DiskStoreLog.Concatenated(_logger, completed.Id, partials.Count, length);
        return completed;
    }

    /// <summary>
    /// A copy that failed part-way (a full disk, a partial that went short) left bytes no offset counts: the final's
    /// stays 0 until the copy is whole. They are truncated away, as a failed chunk's are; a retried POST copies anew.
    /// Best effort: what goes wrong here is logged, never reported in place of the failure that got here.
    /// </summary>
    private void DiscardCopiedBytes(SafeFileHandle data, string uploadId)
    {
        try
        {
            var copied = RandomAccess.GetLength(data);
            RandomAccess.SetLength(data, 0);
            DiskStoreLog.CopyDiscarded(_logger, uploadId, copied);
        }
        catch (Exception exception)
        {
            DiskStoreLog.CopyDiscardFailed(_logger, uploadId, exception);
        }
    }

    private async Task CopyPartialsAsync(
        SafeFileHandle target,
        IReadOnlyList<UploadInfo> partials,
        CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferBytes);
        try
        {
            var position = 0L;
            foreach (var partial in partials)
            {
                using var source = File.OpenHandle(_layout.DataPath(partial.Id), FileMode.Open, FileAccess.Read);
                for (var copied = 0L; copied < partial.Offset;)
                {
                    var want = (int)Math.Min(buffer.Length, partial.Offset - copied);
                    var chunk = buffer.AsMemory(0, want);
                    var read = await RandomAccess.ReadAsync(source, chunk, copied, cancellationToken);
                    if (read == 0)
                    {
                        throw new UploadStoreException($"Partial upload {partial.Id} holds less than its offset.");
                    }

                    await RandomAccess.WriteAsync(target, buffer.AsMemory(0, read), position, cancellationToken);
                    copied += read;
                    position += read;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    internal Stream OpenWindow(string path, string name, long start, long count)
    {
        try
        {
            var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            return new FileWindowStream(file, start, count);
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new UploadStoreException(UploadStoreError.NotFound, $"The data of {name} is gone.", exception);
        }
        catch (Exception exception) when (DiskStoreErrors.IsFileSystemFailure(exception))
        {
            throw Fail(exception, name, "reading");
        }
    }
}
