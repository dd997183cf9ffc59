using Microsoft.Win32.SafeHandles;

namespace TusUpload.Store.Disk;

/// <summary>A read-only, forward-only view of <c>count</c> bytes of a file from <c>start</c>; owns the file.</summary>
internal sealed class FileWindowStream(SafeFileHandle file, long start, long count) : Stream
{
    private long _position;

    public override bool CanRead => !file.IsClosed;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => count;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int length) => Read(buffer.AsSpan(offset, length));

    public override int Read(Span<byte> buffer)
    {
        var window = Window(buffer.Length);
        if (window == 0)
        {
            return 0;
        }

        var read = RandomAccess.Read(file, buffer[..window], start + _position);
        _position += read;
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int length, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, length), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var window = Window(buffer.Length);
        if (window == 0)
        {
            return 0;
        }

        var read = await RandomAccess.ReadAsync(file, buffer[..window], start + _position, cancellationToken);
        _position += read;
        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int length) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            file.Dispose();
        }

        base.Dispose(disposing);
    }

    private int Window(int requested)
    {
        ObjectDisposedException.ThrowIf(file.IsClosed, this);
        return (int)Math.Min(requested, count - _position);
    }
}
