using System.Diagnostics;
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
/// With <paramref name="directAfter"/>, a chunk whose first <see cref="DirectBuffers.BufferSize"/> bytes came within
/// that time writes the rest through a <see cref="DirectChunkSink"/>, and checkpoints then record only what that
/// sink has put in the file.
/// </summary>
internal sealed class DiskChunkWriter(
    DiskUploadStore store,
    SafeFileHandle data,
    UploadInfo durable,
    long? newLength,
    ChunkOptions options,
    long checkpointBytes,
    TimeSpan? directAfter,
    ILogger logger) : IChunkWriter
{
    private readonly long _openedAt = Stopwatch.GetTimestamp();
    private UploadInfo _durable = durable;
    private Task? _checkpoint;
    private long _checkpointedThrough = durable.Offset;
    private DirectChunkSink? _sink;
    private bool _sinkTried;
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
            await WriteAtAsync(bytes);
        }
        catch (Exception exception) when (DiskStoreErrors.IsFileSystemFailure(exception))
        {
            _failed = true;
            throw store.Fail(exception, _durable.Id, "writing");
        }

        BytesWritten += bytes.Length;

        // Only bytes in the file can be checkpointed: with a sink, those its writes have finished with.
        var inFile = _sink?.WrittenThrough ?? StartOffset + BytesWritten;
        if (!options.AllOrNothing && inFile - _checkpointedThrough >= checkpointBytes)
        {
            await AwaitCheckpointAsync();
            _checkpointedThrough = inFile;
            _checkpoint = Task.Run(() => CheckpointAsync(inFile), CancellationToken.None);
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
            await DrainSinkAsync();
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

        if (_sink is { } sink)
        {
            _sink = null;
            await sink.DisposeAsync();
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

    private async ValueTask WriteAtAsync(ReadOnlyMemory<byte> bytes)
    {
        var at = StartOffset + BytesWritten;
        var head = (int)((DirectIo.Alignment - (at % DirectIo.Alignment)) % DirectIo.Alignment);
        if (!_sinkTried && directAfter is { } slowest && BytesWritten + bytes.Length > DirectBuffers.BufferSize
            && bytes.Length > head)
        {
            _sinkTried = true;
            if (Stopwatch.GetElapsedTime(_openedAt) <= slowest)
            {
                // The page cache takes the bytes up to the next block boundary, where direct writes can begin.
                RandomAccess.Write(data, bytes.Span[..head], at);
                _sink = DirectChunkSink.TryOpen(data, at + head, _durable.Id, logger);
                bytes = bytes[head..];
                at += head;
            }
        }

        if (_sink is { } sink)
        {
            await sink.AppendAsync(bytes);
            return;
        }

        // Synchronously: the file is not opened for asynchronous I/O, so WriteAsync would only queue this same
        // call to another pool thread and hop back, two thread switches per buffer for a page-cache copy.
        RandomAccess.Write(data, bytes.Span, at);
    }

    private async Task DrainSinkAsync()
    {
        if (_sink is not { } sink)
        {
            return;
        }

        try
        {
            await sink.DrainAsync();
        }
        catch (Exception exception) when (DiskStoreErrors.IsFileSystemFailure(exception))
        {
            _failed = true;
            throw store.Fail(exception, _durable.Id, "writing");
        }
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
