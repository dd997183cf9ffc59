using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;
using TusUpload.Protocol.Storage;

namespace TusUpload.Store.Disk;

/// <summary>
/// Writes one request body at the upload's durable offset. Without all-or-nothing it fsyncs and moves the
/// info offset every <c>CheckpointBytes</c>; a commit fsyncs and records the rest. Anything else is truncated.
/// A checkpoint runs beside the writing that follows it (at most one at a time), so the body keeps streaming
/// into the page cache while the device flushes; the offset it records is where the body was when it began.
/// A length the chunk declares (<paramref name="newLength"/>) bounds it at once but is written by the commit only.
/// </summary>
internal sealed class DiskChunkWriter(
    DiskUploadStore store,
    SafeFileHandle data,
    UploadInfo durable,
    long? newLength,
    ChunkOptions options,
    long checkpointBytes,
    ILogger logger) : IChunkWriter
{
    private UploadInfo _durable = durable;
    private Task? _checkpoint;
    private long _uncheckpointedBytes;
    private bool _committed;
    private bool _failed;

    public long StartOffset { get; } = durable.Offset;

    public long BytesWritten { get; private set; }

    /// <summary>The upload's length as this chunk must respect it: the stored one, or the one it declares.</summary>
    private long? Length { get; } = newLength ?? durable.Length;

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(data.IsClosed, this);
        if (_checkpoint is { IsCompleted: true })
        {
            // Surfaces a failed checkpoint as the store error it is, before anything else is written.
            await AwaitCheckpointAsync();
        }

        if (_committed || _failed)
        {
            throw new InvalidOperationException("This chunk was committed or failed; open a new one.");
        }

        RequireRoomFor(bytes.Length);

        try
        {
            // Synchronously: the file is not opened for asynchronous I/O, so WriteAsync would only queue this same
            // call to another pool thread and hop back, two thread switches per buffer for a page-cache copy.
            RandomAccess.Write(data, bytes.Span, StartOffset + BytesWritten);
        }
        catch (Exception exception) when (DiskStoreErrors.IsFileSystemFailure(exception))
        {
            _failed = true;
            throw store.Fail(exception, _durable.Id, "writing");
        }

        BytesWritten += bytes.Length;
        _uncheckpointedBytes += bytes.Length;

        if (!options.AllOrNothing && _uncheckpointedBytes >= checkpointBytes)
        {
            await AwaitCheckpointAsync();
            _uncheckpointedBytes = 0;
            var offset = StartOffset + BytesWritten;
            _checkpoint = Task.Run(() => CheckpointAsync(offset), CancellationToken.None);
        }
    }

    public async Task<UploadInfo> CommitAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(data.IsClosed, this);
        if (_failed)
        {
            throw new InvalidOperationException("A write of this chunk failed; its bytes cannot be committed.");
        }

        if (!_committed)
        {
            await AwaitCheckpointAsync();
            if (_durable.Offset < StartOffset + BytesWritten || _durable.Length != Length)
            {
                try
                {
                    await MakeDurableAsync(StartOffset + BytesWritten, "committing", cancellationToken, Length);
                }
                catch
                {
                    _failed = true;
                    throw;
                }
            }

            _committed = true;
            DiskStoreLog.ChunkCommitted(logger, _durable.Id, _durable.Offset);
        }

        return _durable;
    }

    public async ValueTask DisposeAsync()
    {
        if (data.IsClosed)
        {
            return;
        }

        // A checkpoint still running may yet move the durable offset; what is discarded is decided after it.
        try
        {
            await AwaitCheckpointAsync();
        }
        catch (UploadStoreException)
        {
            // Already logged by the store; the bytes past the durable offset are discarded below.
        }

        var discarded = StartOffset + BytesWritten - _durable.Offset;
        if (discarded > 0)
        {
            // With all-or-nothing nothing was checkpointed, so this leaves no trace of the chunk at all.
            try
            {
                RandomAccess.SetLength(data, _durable.Offset);
            }
            catch (Exception exception) when (DiskStoreErrors.IsFileSystemFailure(exception))
            {
                DiskStoreLog.DiscardFailed(logger, _durable.Id, exception);
            }

            DiskStoreLog.ChunkDiscarded(logger, _durable.Id, discarded, _durable.Offset);
        }

        data.Dispose();
    }

    private void RequireRoomFor(int count)
    {
        var after = BytesWritten + count;
        if (after > options.MaxBytes || (Length is { } length && StartOffset + after > length))
        {
            throw new UploadStoreException(
                UploadStoreError.LimitExceeded,
                $"The chunk for upload {_durable.Id} would pass its allowed size.");
        }
    }

    private async Task CheckpointAsync(long offset)
    {
        await MakeDurableAsync(offset, "checkpointing", CancellationToken.None);
        DiskStoreLog.Checkpointed(logger, _durable.Id, offset);
    }

    private async Task AwaitCheckpointAsync()
    {
        if (_checkpoint is not { } checkpoint)
        {
            return;
        }

        _checkpoint = null;
        try
        {
            await checkpoint;
        }
        catch
        {
            _failed = true;
            throw;
        }
    }

    /// <summary>fdatasync first, then the info: the offset never names a byte the device may still lose.</summary>
    private async Task MakeDurableAsync(
        long offset,
        string operation,
        CancellationToken cancellationToken,
        long? length = null)
    {
        var next = _durable with { Offset = offset, Length = length ?? _durable.Length };
        try
        {
            await DeviceWaits.RunAsync(() => DirectorySync.DataSync(data));
        }
        catch (Exception exception) when (DiskStoreErrors.IsFileSystemFailure(exception))
        {
            throw store.Fail(exception, _durable.Id, operation);
        }

        _durable = await store.SaveAsync(next, operation, cancellationToken);
    }
}
