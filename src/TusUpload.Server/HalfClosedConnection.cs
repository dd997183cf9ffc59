using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;

namespace TusUpload.Server;

/// <summary>
/// A connection as Kestrel's HTTP layer sees it, on which the client's FIN (shutdown of its sending side) ends the
/// input but not the request. Kestrel alone treats a FIN as a vanished client: it cancels the request and closes the
/// socket, so a client that sent a complete PATCH and then half-closed got no answer and, when the FIN came with the
/// body, lost the PATCH. Here Kestrel is told the connection closed only once it has read the input to its end (or
/// failed reading it, or aborted the connection): the PATCH is stored and answered, since the socket still sends.
/// The price: a client that resets while nothing reads its input (a request waiting for a lock, a download) is
/// noticed at the next read or write instead of at once.
/// </summary>
internal sealed class HalfClosedConnection : ConnectionContext
{
    private readonly ConnectionContext _inner;
    private readonly CancellationTokenSource _closed = new();
    private readonly Lock _gate = new();
    private bool _innerClosed;
    private bool _inputEnded;

    private HalfClosedConnection(ConnectionContext inner)
    {
        _inner = inner;
        Transport = new ConnectionPipe(new FinDeferringReader(inner.Transport.Input, this), inner.Transport.Output);
        inner.ConnectionClosed.UnsafeRegister(static state => ((HalfClosedConnection)state!).InnerClosed(), this);
    }

    public override string ConnectionId
    {
        get => _inner.ConnectionId;
        set => _inner.ConnectionId = value;
    }

    public override IFeatureCollection Features => _inner.Features;

    public override IDictionary<object, object?> Items
    {
        get => _inner.Items;
        set => _inner.Items = value;
    }

    public override IDuplexPipe Transport { get; set; }

    public override CancellationToken ConnectionClosed
    {
        get => _closed.Token;
        set => throw new NotSupportedException("The closed signal is derived from the transport's.");
    }

    public override EndPoint? LocalEndPoint
    {
        get => _inner.LocalEndPoint;
        set => _inner.LocalEndPoint = value;
    }

    public override EndPoint? RemoteEndPoint
    {
        get => _inner.RemoteEndPoint;
        set => _inner.RemoteEndPoint = value;
    }

    /// <summary>Connection middleware for every endpoint: wraps each accepted connection.</summary>
    public static ConnectionDelegate Wrap(ConnectionDelegate next) =>
        connection => next(new HalfClosedConnection(connection));

    public override void Abort(ConnectionAbortedException abortReason)
    {
        _inner.Abort(abortReason);
        InputDone();
    }

    public override void Abort()
    {
        _inner.Abort();
        InputDone();
    }

    public override ValueTask DisposeAsync()
    {
        _closed.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Reading the input failed (a reset): the client is gone, whatever it sent.</summary>
    internal void InputFailed() => InputDone();

    /// <summary>Kestrel read the input to its end, or no longer reads it.</summary>
    internal void InputDone()
    {
        lock (_gate)
        {
            _inputEnded = true;
            if (!_innerClosed)
            {
                return;
            }
        }

        SignalClosed();
    }

    private void InnerClosed()
    {
        lock (_gate)
        {
            _innerClosed = true;
            if (!_inputEnded)
            {
                return;
            }
        }

        SignalClosed();
    }

    private void SignalClosed()
    {
        try
        {
            _closed.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Kestrel is done with the connection already; nobody listens any more.
        }
    }

}
