using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;
using TusUpload.Protocol.Storage;

namespace TusUpload.Store.Disk;

/// <summary>
/// Writes one request body at the upload's durable offset. Without all-or-nothing it fsyncs and moves the
/// info offset every <c>CheckpointBytes</c>; a commit fsyncs and records the rest. Anything else is truncated.
/// </summary>
internal sealed class DiskChunkWriter(
    DiskUploadStore store,
    SafeFileHandle data,
    UploadInfo durable,
    ChunkOptions options,
    long checkpointBytes,
    ILogger logger) : IChunkWriter
{
    private UploadInfo _durable = durable;
    private long _uncheckpointedBytes;
    private bool _committed;
    private bool _failed;

    public long StartOffset { get; } = durable.Offset;

    public long BytesWritten { get; private set; }

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(data.IsClosed, this);
        if (_committed || _failed)
        {
            throw new InvalidOperationException("This chunk was committed or failed; open a new one.");
        }

        RequireRoomFor(bytes.Length);

        try
        {
            await RandomAccess.WriteAsync(data, bytes, StartOffset + BytesWritten, cancellationToken);
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
            await MakeDurableAsync("checkpointing", cancellationToken);
            DiskStoreLog.Checkpointed(logger, _durable.Id, _durable.Offset);
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
            if (_uncheckpointedBytes > 0)
            {
                await MakeDurableAsync("committing", cancellationToken);
            }

            _committed = true;
            DiskStoreLog.ChunkCommitted(logger, _durable.Id, _durable.Offset);
        }

        return _durable;
    }

    public ValueTask DisposeAsync()
    {
        if (data.IsClosed)
        {
            return ValueTask.CompletedTask;
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
        return ValueTask.CompletedTask;
    }

    private void RequireRoomFor(int count)
    {
        var after = BytesWritten + count;
        if (after > options.MaxBytes || (_durable.Length is { } length && StartOffset + after > length))
        {
            throw new UploadStoreException(
                UploadStoreError.LimitExceeded,
                $"The chunk for upload {_durable.Id} would pass its allowed size.");
        }
    }

    /// <summary>fdatasync first, then the info: the offset never names a byte the device may still lose.</summary>
    private async Task MakeDurableAsync(string operation, CancellationToken cancellationToken)
    {
        var next = _durable with { Offset = StartOffset + BytesWritten };
        try
        {
            RandomAccess.FlushToDisk(data);
        }
        catch (Exception exception) when (DiskStoreErrors.IsFileSystemFailure(exception))
        {
            _failed = true;
            throw store.Fail(exception, _durable.Id, operation);
        }

        _durable = await store.SaveAsync(next, operation, cancellationToken);
        _uncheckpointedBytes = 0;
    }
}
