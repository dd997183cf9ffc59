using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace TusUpload.Store.Disk;

/// <summary>
/// The long run of one chunk's bytes, written past the page cache: bytes are staged in one aligned buffer while the
/// other is on its way to the device, so the network and the disk work at the same time. Starts at an aligned file
/// offset; <see cref="DrainAsync"/> writes what is staged, the last partial block through the buffered handle.
/// Only <see cref="WrittenThrough"/> may be made durable: staged bytes and the write in flight are not in the file.
/// A file system that refuses a direct write (EINVAL: alignment it does not take, no support) gets that write and
/// every later one through the buffered handle instead; the bytes are the same either way.
/// </summary>
internal sealed class DirectChunkSink : IAsyncDisposable
{
    private readonly SafeFileHandle _direct;
    private readonly SafeFileHandle _buffered;
    private readonly string _uploadId;
    private readonly ILogger _logger;
    private Memory<byte> _filling;
    private Memory<byte> _spare;
    private int _filled;
    private long _stagedAt;
    private Task? _inFlight;
    private long _inFlightEnd;
    private volatile bool _refused;

    private DirectChunkSink(
        SafeFileHandle direct,
        SafeFileHandle buffered,
        (Memory<byte> First, Memory<byte> Second) buffers,
        long offset,
        string uploadId,
        ILogger logger)
    {
        _direct = direct;
        _buffered = buffered;
        (_filling, _spare) = buffers;
        _stagedAt = offset;
        WrittenThrough = offset;
        _uploadId = uploadId;
        _logger = logger;
    }

    /// <summary>File offset below which every byte given to this sink is in the file, durable or not.</summary>
    public long WrittenThrough { get; private set; }

    /// <summary>A sink writing from the aligned <paramref name="offset"/>, or null where that cannot be.</summary>
    public static DirectChunkSink? TryOpen(SafeFileHandle data, long offset, string uploadId, ILogger logger)
    {
        if (offset % DirectIo.Alignment != 0 || !DirectBuffers.TryRentPair(out var first, out var second))
        {
            return null;
        }

        if (DirectIo.TryReopen(data) is not { } direct)
        {
            DirectBuffers.Return(first);
            DirectBuffers.Return(second);
            return null;
        }

        DiskStoreLog.WritingDirectly(logger, uploadId, offset);
        return new DirectChunkSink(direct, data, (first, second), offset, uploadId, logger);
    }

    public async ValueTask AppendAsync(ReadOnlyMemory<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            var take = Math.Min(bytes.Length, _filling.Length - _filled);
            bytes.Span[..take].CopyTo(_filling.Span[_filled..]);
            _filled += take;
            bytes = bytes[take..];

            if (_filled == _filling.Length)
            {
                await WriteFillingAsync();
            }
        }
    }

    /// <summary>Writes every staged byte: afterwards <see cref="WrittenThrough"/> covers all appended.</summary>
    public async Task DrainAsync()
    {
        await CompleteInFlightAsync();

        var whole = _filled / DirectIo.Alignment * DirectIo.Alignment;
        var staged = _filling[.._filled];
        var at = _stagedAt;
        if (whole > 0)
        {
            await DeviceWaits.RunAsync(() => Write(staged[..whole], at));
        }

        if (_filled > whole)
        {
            // Less than a block: a direct write would need padding and a truncation; the page cache takes it as is.
            RandomAccess.Write(_buffered, staged.Span[whole..], at + whole);
        }

        _stagedAt += _filled;
        _filled = 0;
        WrittenThrough = _stagedAt;
    }

    /// <summary>Waits for the write in flight (its failure no longer matters) and gives the buffers back.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_inFlight is { } inFlight)
        {
            _inFlight = null;
            try
            {
                // A write still running after the caller truncated would grow the file again past its offset.
                await inFlight;
            }
            catch (Exception exception) when (DiskStoreErrors.IsFileSystemFailure(exception))
            {
                // The caller discards everything past the durable offset, this write's bytes included.
            }
        }

        _direct.Dispose();
        DirectBuffers.Return(_filling);
        DirectBuffers.Return(_spare);
        _filling = _spare = Memory<byte>.Empty;
    }

    private async ValueTask WriteFillingAsync()
    {
        await CompleteInFlightAsync();

        var full = _filling[.._filled];
        var at = _stagedAt;
        (_filling, _spare) = (_spare, _filling);
        _stagedAt += _filled;
        _filled = 0;

        _inFlightEnd = _stagedAt;
        _inFlight = DeviceWaits.RunAsync(() => Write(full, at));
    }

    private async ValueTask CompleteInFlightAsync()
    {
        if (_inFlight is not { } inFlight)
        {
            return;
        }

        _inFlight = null;
        await inFlight;
        WrittenThrough = _inFlightEnd;
    }

    private void Write(ReadOnlyMemory<byte> bytes, long at)
    {
        if (!_refused)
        {
            try
            {
                RandomAccess.Write(_direct, bytes.Span, at);
                return;
            }
            catch (IOException exception) when (exception.HResult == DirectIo.InvalidArgument)
            {
                // Rewriting the whole range is right even if part of it went through: same bytes, same offsets.
                _refused = true;
                DiskStoreLog.DirectWriteRefused(_logger, _uploadId);
            }
        }

        RandomAccess.Write(_buffered, bytes.Span, at);
    }
}
