using System.Net;
using System.Net.Sockets;

namespace TusUpload.Server.IntegrationTests.Harness;

/// <summary>
/// A loopback TCP server that accepts connections and never answers: a hung S3 service, as far as a client can tell.
/// </summary>
public sealed class SilentListener : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<Socket> _accepted = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _acceptedCount;

    public SilentListener()
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    public int Port { get; }

    /// <summary>Connections accepted so far: a client that failed sooner never reached the listener.</summary>
    public int Accepted => Volatile.Read(ref _acceptedCount);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting.WaitAsync(TimeSpan.FromSeconds(10));
        foreach (var socket in _accepted)
        {
            socket.Dispose();
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                _accepted.Add(await _listener.AcceptSocketAsync(_stop.Token));
                Interlocked.Increment(ref _acceptedCount);
            }
        }
        catch (Exception ended) when (ended is OperationCanceledException or SocketException)
        {
            // Stopped: the sockets accepted so far are closed by the dispose.
        }
    }
}
