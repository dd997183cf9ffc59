using Amazon.S3.Model;

namespace TusUpload.Store.S3;

/// <summary>
/// The body of a GET that disposes the whole response (and its connection) with the stream, and counts the bytes
/// as they are read: a reader that stops early (a client that went away) has not received the rest.
/// </summary>
internal sealed class S3ResponseStream(GetObjectResponse response, S3Metrics metrics) : Stream
{
    private readonly Stream _body = response.ResponseStream;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => response.ContentLength;

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Counted(_body.Read(buffer, offset, count));

    public override async ValueTask<int> ReadAsync(
        Memory<byte> buffer,
        CancellationToken cancellationToken = default) =>
        Counted(await _body.ReadAsync(buffer, cancellationToken));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            response.Dispose();
        }

        base.Dispose(disposing);
    }

    private int Counted(int read)
    {
        if (read > 0)
        {
            metrics.Received(S3Operation.GetObject, S3Metrics.ContentObject, read);
        }

        return read;
    }
}
