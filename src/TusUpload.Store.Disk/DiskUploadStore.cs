using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TusUpload.Protocol.Storage;

namespace TusUpload.Store.Disk;

/// <summary>
/// The embedded default store: per upload a data file and an info file whose offset only ever counts bytes that
/// were fdatasync'ed (format and crash behaviour in <see cref="UploadInfoFile"/>). Callers hold the upload's write
/// lock for every mutating call.
/// </summary>
public sealed partial class DiskUploadStore : IUploadStore
{
    private readonly DiskStoreLayout _layout;
    private readonly UploadInfoFiles _infos;
    private readonly long _checkpointBytes;
    private readonly ILogger<DiskUploadStore> _logger;

    public DiskUploadStore(IOptions<DiskStoreOptions> options, ILogger<DiskUploadStore> logger)
    {
        ArgumentNullException.ThrowIfNull(options);

        _layout = new DiskStoreLayout(options.Value.Path);
        Folders = new FolderFlushes();
        _infos = new UploadInfoFiles(Folders);
        _checkpointBytes = options.Value.CheckpointBytes;
        _logger = logger;
        Directory.CreateDirectory(_layout.Root);
    }

    /// <summary>The absolute folder the store writes to.</summary>
    public string RootPath => _layout.Root;

    /// <summary>Group-committed folder fsyncs, shared with the blob store.</summary>
    internal FolderFlushes Folders { get; }

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

        var dataPath = _layout.DataPath(upload.Id);
        var dataCreated = false;
        try
        {
            // A data file without an info file is debris of a crash between the two steps: no upload owns it. The
            // info file's creation flushes the folder, which makes both names durable.
            using (File.OpenHandle(dataPath, FileMode.Create, FileAccess.Write))
            {
            }

            dataCreated = true;
            await _infos.CreateAsync(infoPath, upload with { Offset = 0 });
        }
        catch (Exception exception) when (DiskStoreErrors.IsFileSystemFailure(exception))
        {
            // Not "already exists" just because the info file is there: a failed fdatasync of a new one is the
            // device's failure (503), and the info file's creation took it back.
            if (dataCreated)
            {
                RemoveUnownedData(upload.Id, infoPath, dataPath);
            }

            throw Fail(exception, upload.Id, "creating");
        }
        catch (UploadStoreException exception) when (exception.Error == UploadStoreError.LimitExceeded)
        {
            // Refused before any info file was made, so the data file is no upload's.
            RemoveUnownedData(upload.Id, infoPath, dataPath);
            throw;
        }

        DiskStoreLog.UploadCreated(_logger, upload.Id);
    }

    /// <summary>
    /// Takes back the data file of a creation whose info file could not be made, so the failure leaves no debris.
    /// Best effort, and only while no info file is there: one that is (it could not be taken back, or the folder
    /// flush failed after it was written) may read as an upload, and then the data file is that upload's.
    /// </summary>
    private void RemoveUnownedData(string uploadId, string infoPath, string dataPath)
    {
        // Left behind on failure as debris: it holds no byte, and without an info file it is no upload.
        if (!File.Exists(infoPath) && DiskStoreErrors.TryDelete(dataPath) is { } failure)
        {
            DiskStoreLog.DebrisLeft(_logger, uploadId, failure);
        }
    }

    public Task<UploadInfo?> GetAsync(string uploadId, CancellationToken cancellationToken)
    {
        if (!DiskStoreLayout.IsValidId(uploadId))
        {
            return Task.FromResult<UploadInfo?>(null);
        }

        try
        {
            return Task.FromResult(_infos.Read(uploadId, _layout.InfoPath(uploadId))?.Upload);
        }
        catch (InvalidDataException exception)
        {
            DiskStoreLog.InfoDamaged(_logger, uploadId, exception);
            throw new UploadStoreException(UploadStoreError.Damaged, exception.Message, exception);
        }
        catch (Exception exception) when (DiskStoreErrors.IsFileSystemFailure(exception))
        {
            throw Fail(exception, uploadId, "reading");
        }
    }

    public async Task<UploadInfo> DeclareLengthAsync(string uploadId, long length, CancellationToken cancellationToken)
    {
        var upload = await GetRequiredAsync(uploadId, cancellationToken);
        if (!IsNewLength(upload, length))
        {
            return upload;
        }

        return await SaveAsync(upload with { Length = length }, "declaring the length of", cancellationToken);
    }

    /// <summary>
    /// True when <paramref name="length"/> may be declared for the upload and is not its length already; throws
    /// when the upload has another length or holds more bytes.
    /// </summary>
    internal static bool IsNewLength(UploadInfo upload, long length)
    {
        if (upload.Length == length)
        {
            return false;
        }

        if (upload.Length is not null)
        {
            throw new UploadStoreException($"Upload {upload.Id} already has a length.");
        }

        if (length < upload.Offset)
        {
            throw new UploadStoreException(
                UploadStoreError.LimitExceeded,
                $"Length {length} is below the {upload.Offset} bytes upload {upload.Id} already holds.");
        }

        return true;
    }

    /// <summary>The data file is the content as it grows: a complete upload is whole already.</summary>
    public Task<UploadInfo> FinishAsync(UploadInfo upload, CancellationToken cancellationToken) =>
        Task.FromResult(upload);

    public async Task<UploadInfo> MarkCompletionRecordedAsync(string uploadId, CancellationToken cancellationToken)
    {
        var upload = await GetRequiredAsync(uploadId, cancellationToken);
        if (upload.CompletionRecorded)
        {
            return upload;
        }

        // Written without fdatasync: a crash that undoes the flag only makes the completion be recorded again,
        // which the lifecycle does idempotently. This saves one device flush per finished upload.
        return await SaveAsync(upload with { CompletionRecorded = true }, "marking", cancellationToken, durable: false);
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
            DeleteInfo(uploadId, infoPath);
            File.Delete(_layout.DataPath(uploadId));
            _infos.Forget(uploadId);
        }
        catch (Exception exception) when (DiskStoreErrors.IsFileSystemFailure(exception))
        {
            throw Fail(exception, uploadId, "deleting");
        }

        return FlushDeletionAsync(uploadId);
    }

    /// <summary>
    /// Deletes the info file, or an empty folder that stands in its place (damage from outside, which DELETE must
    /// still clear, as it clears an unreadable file). A folder with something in it is left to the operator: what
    /// it holds is not the store's, so it is never removed wholesale. The folder is looked for only once deleting a
    /// file failed, so an ordinary deletion costs no extra call.
    /// </summary>
    private static void DeleteInfo(string uploadId, string infoPath)
    {
        try
        {
            File.Delete(infoPath);
            return;
        }
        catch (UnauthorizedAccessException) when (Directory.Exists(infoPath))
        {
            // Unlinking a folder fails (EISDIR); what to do with it is decided below.
        }

        if (Directory.EnumerateFileSystemEntries(infoPath).Any())
        {
            throw new UploadStoreException(
                UploadStoreError.Damaged,
                $"A folder with content stands in place of the info file of upload {uploadId}; remove it by hand.");
        }

        Directory.Delete(infoPath, recursive: false);
    }

    private async Task FlushDeletionAsync(string uploadId)
    {
        try
        {
            await Folders.FlushAsync(_layout.Root);
        }
        catch (Exception exception) when (DiskStoreErrors.IsFileSystemFailure(exception))
        {
            throw Fail(exception, uploadId, "deleting");
        }

        DiskStoreLog.UploadDeleted(_logger, uploadId);
    }

    public async IAsyncEnumerable<UploadInfo> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var infoPath in Directory.EnumerateFiles(_layout.Root, "*" + DiskStoreLayout.InfoSuffix))
        {
            cancellationToken.ThrowIfCancellationRequested();

            var upload = TryReadForListing(infoPath);
            if (upload is not null)
            {
                yield return upload;
            }

            await Task.Yield();
        }
    }

    private UploadInfo? TryReadForListing(string infoPath)
    {
        var uploadId = Path.GetFileName(infoPath)[..^DiskStoreLayout.InfoSuffix.Length];
        try
        {
            return DiskStoreLayout.IsValidId(uploadId) ? _infos.Read(uploadId, infoPath)?.Upload : null;
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

    internal async Task<UploadInfo> SaveAsync(
        UploadInfo upload,
        string operation,
        CancellationToken cancellationToken,
        bool durable = true)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var infoPath = _layout.InfoPath(upload.Id);
        try
        {
            if (durable)
            {
                await DeviceWaits.RunAsync(() => SaveNow(upload, infoPath, durable: true));
            }
            else
            {
                SaveNow(upload, infoPath, durable: false);
            }

            return upload;
        }
        catch (Exception exception) when (DiskStoreErrors.IsFileSystemFailure(exception))
        {
            throw Fail(exception, upload.Id, operation);
        }
    }

    private void SaveNow(UploadInfo upload, string infoPath, bool durable)
    {
        var current = _infos.Read(upload.Id, infoPath)
            ?? throw new UploadStoreException(UploadStoreError.NotFound, $"Upload {upload.Id} does not exist.");
        _infos.Save(upload.Id, infoPath, current, upload, durable);
    }

    internal UploadStoreException Fail(Exception exception, string uploadId, string operation)
    {
        DiskStoreLog.IoFailed(_logger, uploadId, operation, exception);
        return DiskStoreErrors.Translate(exception, uploadId, operation);
    }
}
