using System.IO.Pipelines;

namespace TusUpload.Server;

/// <summary>
/// The connection's input as Kestrel reads it, except that the client's FIN is shown only once every byte before it
/// was examined. Kestrel's Content-Length body reader refuses a read that reports the end as "unexpected end of
/// request content" even when the whole body came with it, so a client that sent a complete PATCH and then
/// half-closed lost the PATCH.
/// </summary>
internal sealed class FinDeferringReader(PipeReader inner, HalfClosedConnection connection) : PipeReader
{
    private SequencePosition _examined;

    public override bool TryRead(out ReadResult result)
    {
        bool read;
        try
        {
            read = inner.TryRead(out result);
        }
        catch (Exception)
        {
            connection.InputFailed();
            throw;
        }

        if (read)
        {
            result = Defer(result);
        }

        return read;
    }

    public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        ReadResult read;
        try
        {
            read = await inner.ReadAsync(cancellationToken);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            connection.InputFailed();
            throw;
        }

        return Defer(read);
    }

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        _examined = examined;
        inner.AdvanceTo(consumed, examined);
    }

    public override void CancelPendingRead() => inner.CancelPendingRead();

    public override void Complete(Exception? exception = null)
    {
        inner.Complete(exception);
        connection.InputDone();
    }

    private ReadResult Defer(ReadResult read)
    {
        // Bytes before the FIN that the reader has not looked at yet: the end is shown once it has seen them all
        // and asks for more, as a pipe that is still open would make it ask.
        if (read.IsCompleted && !read.Buffer.IsEmpty && !read.Buffer.End.Equals(_examined))
        {
            return new ReadResult(read.Buffer, read.IsCanceled, isCompleted: false);
        }

        return read;
    }
}
