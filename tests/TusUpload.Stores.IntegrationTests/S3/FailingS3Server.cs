using System.Net;
using System.Net.Sockets;
using System.Text;

namespace TusUpload.Stores.IntegrationTests.S3;

/// <summary>
/// An HTTP server on 127.0.0.1 that answers every request with 503 and closes the connection, so that the S3
/// client's retries can be counted (moto never fails on its own). It serves at most <see cref="MaxRequests"/>.
/// </summary>
internal sealed class FailingS3Server : IAsyncDisposable
{
    public const int MaxRequests = 20;

    private const string Answer =
        "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serving;
    private int _requests;

    public FailingS3Server()
    {
        _listener.Start();
        _serving = ServeAsync(_stop.Token);
    }

    public string ServiceUrl => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>Requests answered so far (each attempt of the client is one connection and one request).</summary>
    public int Requests => Volatile.Read(ref _requests);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _serving.WaitAsync(TestData.Timeout);
        }
        catch (OperationCanceledException)
        {
            // Stopped while waiting for a connection: the usual end.
        }

        _stop.Dispose();
    }

    private async Task ServeAsync(CancellationToken cancellationToken)
    {
        for (var served = 0; served < MaxRequests; served++)
        {
            using var connection = await _listener.AcceptTcpClientAsync(cancellationToken);
            var stream = connection.GetStream();
            await ReadHeadersAsync(stream, cancellationToken);
            Interlocked.Increment(ref _requests);
            await stream.WriteAsync(Encoding.ASCII.GetBytes(Answer), cancellationToken);
        }
    }

    /// <summary>Reads up to the blank line that ends the request headers (the requests tested have no body).</summary>
    private static async Task ReadHeadersAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        var length = 0;
        while (length < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken)
                .AsTask()
                .WaitAsync(TestData.Timeout, cancellationToken);
            if (read == 0)
            {
                return;
            }

            length += read;
            if (Encoding.ASCII.GetString(buffer, 0, length).Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                return;
            }
        }
    }
}
