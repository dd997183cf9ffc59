using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TusUpload.Protocol.Storage;

namespace TusUpload.Store.Disk;

/// <summary>
/// The embedded default store: per upload a data file and an atomically replaced JSON info file whose offset
/// only ever counts bytes that were fsync'ed. Callers hold the upload's write lock for every mutating call.
/// </summary>
public sealed partial class DiskUploadStore : IUploadStore
{
    private readonly DiskStoreLayout _layout;
    private readonly long _checkpointBytes;
    private readonly ILogger<DiskUploadStore> _logger;

    public DiskUploadStore(IOptions<DiskStoreOptions> options, ILogger<DiskUploadStore> logger)
    {
        ArgumentNullException.ThrowIfNull(options);

        _layout = new DiskStoreLayout(options.Value.Path);
        _checkpointBytes = options.Value.CheckpointBytes;
        _logger = logger;
        Directory.CreateDirectory(_layout.Root);
    }

    /// <summary>The absolute folder the store writes to.</summary>
    public string RootPath => _layout.Root;

    public async Task CreateAsync(UploadInfo upload, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(upload);
        if (!DiskStoreLayout.IsValidId(upload.Id))
        {
            throw new ArgumentException("Upload ids must be lower-case hex.", nameof(upload));
        }

        var infoPath = _layout.InfoPath(upload.Id);
        if (File.Exists(infoPath))
        {
            throw new UploadStoreException(UploadStoreError.AlreadyExists, $"Upload {upload.Id} exists already.");
        }

        try
        {
            // A data file without an info file is debris of a crash between the two steps: no upload owns it.
            using (File.OpenHandle(_layout.DataPath(upload.Id), FileMode.Create, FileAccess.Write))
            {
            }

            await UploadInfoFile.WriteAsync(infoPath, upload with { Offset = 0 }, cancellationToken);
        }
        catch (Exception exception) when (DiskStoreErrors.IsFileSystemFailure(exception))
        {
            throw Fail(exception, upload.Id, "creating");
        }

        DiskStoreLog.UploadCreated(_logger, upload.Id);
    }

    public async Task<UploadInfo?> GetAsync(string uploadId, CancellationToken cancellationToken)
    {
        if (!DiskStoreLayout.IsValidId(uploadId))
        {
            return null;
        }

        try
        {
            return await UploadInfoFile.ReadAsync(_layout.InfoPath(uploadId), cancellationToken);
        }
        catch (Exception exception) when (DiskStoreErrors.IsFileSystemFailure(exception))
        {
            throw Fail(exception, uploadId, "reading");
        }
    }

    public async Task<UploadInfo> DeclareLengthAsync(string uploadId, long length, CancellationToken cancellationToken)
    {
        var upload = await GetRequiredAsync(uploadId, cancellationToken);
        if (upload.Length == length)
        {
            return upload;
        }

        if (upload.Length is not null)
        {
            throw new UploadStoreException($"Upload {uploadId} already has a length.");
        }

        if (length < upload.Offset)
        {
            throw new UploadStoreException(
                UploadStoreError.LimitExceeded,
                $"Length {length} is below the {upload.Offset} bytes upload {uploadId} already holds.");
        }

        return await SaveAsync(upload with { Length = length }, "declaring the length of", cancellationToken);
    }

    public async Task<UploadInfo> MarkCompletionRecordedAsync(string uploadId, CancellationToken cancellationToken)
    {
        var upload = await GetRequiredAsync(uploadId, cancellationToken);
        if (upload.CompletionRecorded)
        {
            return upload;
        }

        return await SaveAsync(upload with { CompletionRecorded = true }, "marking", cancellationToken);
    }

    public Task DeleteAsync(string uploadId, CancellationToken cancellationToken)
    {
        if (!DiskStoreLayout.IsValidId(uploadId))
        {
            return Task.CompletedTask;
        }

        try
        {
            // The info file goes first: once it is gone the upload no longer exists, whatever a crash leaves.
            var infoPath = _layout.InfoPath(uploadId);
            File.Delete(infoPath);
            File.Delete(infoPath + ".tmp");
            File.Delete(_layout.DataPath(uploadId));
            DirectorySync.Flush(_layout.Root);
        }
        catch (Exception exception) when (DiskStoreErrors.IsFileSystemFailure(exception))
        {
            throw Fail(exception, uploadId, "deleting");
        }

        DiskStoreLog.UploadDeleted(_logger, uploadId);
        return Task.CompletedTask;
    }

    public async IAsyncEnumerable<UploadInfo> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var infoPath in Directory.EnumerateFiles(_layout.Root, "*" + DiskStoreLayout.InfoSuffix))
        {
            cancellationToken.ThrowIfCancellationRequested();

            var upload = await TryReadForListingAsync(infoPath, cancellationToken);
            if (upload is not null)
            {
                yield return upload;
            }
        }
    }

    private async Task<UploadInfo?> TryReadForListingAsync(string infoPath, CancellationToken cancellationToken)
    {
        try
        {
            return await UploadInfoFile.ReadAsync(infoPath, cancellationToken);
        }
        catch (Exception exception) when (exception is System.Text.Json.JsonException or InvalidDataException
            || DiskStoreErrors.IsFileSystemFailure(exception))
        {
            // One damaged file must not stop the sweeper from seeing every other upload.
            DiskStoreLog.CorruptInfoSkipped(_logger, infoPath, exception);
            return null;
        }
    }

    internal async Task<UploadInfo> GetRequiredAsync(string uploadId, CancellationToken cancellationToken)
    {
        DiskStoreLayout.RequireValidId(uploadId);

        return await GetAsync(uploadId, cancellationToken)
            ?? throw new UploadStoreException(UploadStoreError.NotFound, $"Upload {uploadId} does not exist.");
    }

    internal async Task<UploadInfo> SaveAsync(UploadInfo upload, string operation, CancellationToken cancellationToken)
    {
        try
        {
            await UploadInfoFile.WriteAsync(_layout.InfoPath(upload.Id), upload, cancellationToken);
            return upload;
        }
        catch (Exception exception) when (DiskStoreErrors.IsFileSystemFailure(exception))
        {
            throw Fail(exception, upload.Id, operation);
        }
    }

    internal UploadStoreException Fail(Exception exception, string uploadId, string operation)
    {
        DiskStoreLog.IoFailed(_logger, uploadId, operation, exception);
        return DiskStoreErrors.Translate(exception, uploadId, operation);
    }
}
