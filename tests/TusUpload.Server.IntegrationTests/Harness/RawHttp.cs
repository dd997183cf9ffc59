using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace TusUpload.Server.IntegrationTests.Harness;

/// <summary>
/// HTTP/1.1 over a plain socket, for what HttpClient will not send: bodies that stop half-way, chunked bodies
/// with trailers, <c>Expect: 100-continue</c> without a body, and raw bytes in header values.
/// </summary>
public sealed class RawHttp : IAsyncDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(20);
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;

    private RawHttp(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
    }

    public static async Task<RawHttp> ConnectAsync(Uri server)
    {
        var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port).WaitAsync(s_timeout);
        return new RawHttp(client);
    }

    public Task SendAsync(string text) => SendAsync(Encoding.Latin1.GetBytes(text));

    public async Task SendAsync(byte[] bytes)
    {
        using var timeout = new CancellationTokenSource(s_timeout);
        await _stream.WriteAsync(bytes, timeout.Token);
        await _stream.FlushAsync(timeout.Token);
    }

    /// <summary>Reads one response head (and a Content-Length body); null when the server closed first.</summary>
    public async Task<RawResponse?> ReadResponseAsync(TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? s_timeout);
        var received = new List<byte>();
        var buffer = new byte[8192];
        int headEnd;
        while ((headEnd = IndexOfHeadEnd(received)) < 0)
        {
            var read = await ReadSomeAsync(buffer, cancel.Token);
            if (read == 0)
            {
                return null;
            }

            received.AddRange(buffer.AsSpan(0, read));
        }

        var head = Encoding.Latin1.GetString(received.GetRange(0, headEnd).ToArray());
        var response = RawResponse.Parse(head);
        var body = received.Skip(headEnd + 4).ToList();
        var length = response.Header("Content-Length") is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : 0;
        while (body.Count < length)
        {
            var read = await ReadSomeAsync(buffer, cancel.Token);
            if (read == 0)
            {
                break;
            }

            body.AddRange(buffer.AsSpan(0, read));
        }

        return response with { Body = Encoding.UTF8.GetString(body.ToArray()) };
    }

    /// <summary>True when the server closes or resets the connection within <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForCloseAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var buffer = new byte[8192];
        try
        {
            while (await ReadSomeAsync(buffer, cancel.Token) > 0)
            {
            }

            return true;
        }
        catch (IOException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Ends the connection with a reset (RST) instead of an orderly close, as a dying client would.</summary>
    public void Reset()
    {
        _client.Client.LingerState = new LingerOption(true, 0);
        _client.Close();
    }

    /// <summary>Closes the sending side only (FIN): the server sees the body end early and may still answer.</summary>
    public void CloseSending() => _client.Client.Shutdown(SocketShutdown.Send);

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<int> ReadSomeAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        try
        {
            return await _stream.ReadAsync(buffer, cancellationToken);
        }
        catch (IOException exception) when (exception.InnerException is SocketException)
        {
            return 0;
        }
    }

    private static int IndexOfHeadEnd(List<byte> bytes)
    {
        for (var i = 0; i + 3 < bytes.Count; i++)
        {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n' && bytes[i + 2] == '\r' && bytes[i + 3] == '\n')
            {
                return i;
            }
        }

        return -1;
    }
}
