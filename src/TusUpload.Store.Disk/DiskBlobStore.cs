using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TusUpload.Protocol.Storage;

namespace TusUpload.Store.Disk;

/// <summary>
/// Content-addressed blobs under <c>&lt;root&gt;/blobs/ab/&lt;sha256&gt;</c>. Promotion gives the upload's data file a
/// second name (a hard link: no copy, atomic) and falls back to copy, fsync and rename where links fail.
/// </summary>
public sealed class DiskBlobStore : IBlobStore
{
    private const int NoLinksHere = -1;
    private const int NotPermitted = 1;
    private const int NoSuchFile = 2;
    private const int CrossDevice = 18;
    private const int NotSupported = 95;

    private readonly DiskStoreLayout _layout;
    private readonly DiskUploadStore _uploads;
    private readonly ILogger<DiskBlobStore> _logger;

    public DiskBlobStore(DiskUploadStore uploads, IOptions<DiskStoreOptions> options, ILogger<DiskBlobStore> logger)
    {
        ArgumentNullException.ThrowIfNull(options);

        _uploads = uploads;
        _layout = new DiskStoreLayout(options.Value.Path);
        _logger = logger;
    }

    public async Task PromoteAsync(UploadInfo upload, string sha256, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(upload);
        DiskStoreLayout.RequireValidId(upload.Id);
        DiskStoreLayout.RequireValidSha256(sha256);

        var blobPath = _layout.BlobPath(sha256);
        if (File.Exists(blobPath))
        {
            return;
        }

        var dataPath = _layout.DataPath(upload.Id);
        try
        {
            Directory.CreateDirectory(_layout.BlobFolder(sha256));
            if (DirectorySync.TryHardLink(dataPath, blobPath, out var errno) || errno == DirectorySync.ErrnoExists)
            {
                DiskStoreLog.BlobPromoted(_logger, upload.Id, sha256, "link");
            }
            else if (errno is CrossDevice or NoLinksHere or NotPermitted or NotSupported)
            {
                // EXDEV, EPERM or EOPNOTSUPP (or not Linux): the file system cannot link, so copy.
                await CopyIntoPlaceAsync(dataPath, blobPath, upload.Offset, cancellationToken);
                DiskStoreLog.BlobPromoted(_logger, upload.Id, sha256, "copy");
            }
            else if (errno == NoSuchFile)
            {
                // The upload was deleted while it was processed: a race the processor expects, not a disk fault.
                throw DataGone(upload.Id);
            }
            else
            {
                throw new IOException($"link({dataPath}) failed with errno {errno}.", errno);
            }

            await _uploads.Folders.FlushAsync(_layout.BlobFolder(sha256));
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            throw DataGone(upload.Id);
        }
        catch (Exception exception) when (DiskStoreErrors.IsFileSystemFailure(exception))
        {
            throw _uploads.Fail(exception, upload.Id, "promoting");
        }
    }

    private static UploadStoreException DataGone(string uploadId) =>
        new(UploadStoreError.NotFound, $"The data of upload {uploadId} is gone.");

    public Task<bool> ExistsAsync(string sha256, CancellationToken cancellationToken)
    {
        DiskStoreLayout.RequireValidSha256(sha256);
        return Task.FromResult(File.Exists(_layout.BlobPath(sha256)));
    }

    public Task<Stream> OpenReadAsync(string sha256, long start, long count, CancellationToken cancellationToken)
    {
        DiskStoreLayout.RequireValidSha256(sha256);
        var blobPath = _layout.BlobPath(sha256);
        var stream = _uploads.OpenWindow(blobPath, "blob " + sha256, start, count);
        if (start < 0 || count < 0 || start + count > new FileInfo(blobPath).Length)
        {
            stream.Dispose();
            throw new ArgumentOutOfRangeException(nameof(count), "The range must lie within the blob.");
        }

        return Task.FromResult(stream);
    }

    public Task ReleaseUploadDataAsync(string uploadId, CancellationToken cancellationToken)
    {
        DiskStoreLayout.RequireValidId(uploadId);
        try
        {
            File.Delete(_layout.DataPath(uploadId));
        }
        catch (Exception exception) when (DiskStoreErrors.IsFileSystemFailure(exception))
        {
            throw _uploads.Fail(exception, uploadId, "releasing the data of");
        }

        DiskStoreLog.UploadDataReleased(_logger, uploadId);
        return Task.CompletedTask;
    }

    public async Task DeleteAsync(string sha256, CancellationToken cancellationToken)
    {
        DiskStoreLayout.RequireValidSha256(sha256);
        var blobFolder = _layout.BlobFolder(sha256);
        try
        {
            File.Delete(_layout.BlobPath(sha256));

            // The ledger deletes the blob's row in the transaction that calls this and commits right after it. Until
            // the folder is synced a crash can bring the name back, and the bytes a user deleted would stay with no
            // row pointing at them. Deleting uploads flushes their folder for the same reason; both group-commit.
            await _uploads.Folders.FlushAsync(blobFolder);
        }
        catch (DirectoryNotFoundException)
        {
            // No blob of this fan-out folder was ever promoted here: nothing to remove and no name to make durable.
            // Only a failed unlink says so, so an ordinary deletion costs no extra call.
            return;
        }
        catch (Exception exception) when (DiskStoreErrors.IsFileSystemFailure(exception))
        {
            // Its own event: a blob is not an upload, and the upload id field of the logs must only hold upload ids.
            DiskStoreLog.BlobIoFailed(_logger, sha256, "deleting", exception);
            throw DiskStoreErrors.TranslateFor(exception, "blob " + sha256, "deleting");
        }

        DiskStoreLog.BlobDeleted(_logger, sha256);
    }

    private static async Task CopyIntoPlaceAsync(
        string dataPath,
        string blobPath,
        long length,
        CancellationToken cancellationToken)
    {
        var tempPath = $"{blobPath}.{Guid.NewGuid():N}.tmp";
        try
        {
            await using (var source = new FileStream(dataPath, FileMode.Open, FileAccess.Read, FileShare.Read))
            await using (var temp = new FileStream(tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                if (source.Length != length)
                {
                    throw new IOException($"{dataPath} holds {source.Length} bytes, not {length}.");
                }

                await source.CopyToAsync(temp, cancellationToken);
                temp.Flush(flushToDisk: true);
            }

            // Another promoter may have finished first; its blob has the same bytes, so keeping either is right.
            File.Move(tempPath, blobPath, overwrite: true);
        }
        finally
        {
            File.Delete(tempPath);
        }
    }
}
