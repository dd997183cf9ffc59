using System.Buffers;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;

namespace TusUpload.ClamAV;

// One TCP connection to clamd. Every operation is bounded by a timeout; a timeout, refusal or reset surfaces as
// ClamdUnavailableException, the caller's cancellation as OperationCanceledException.
internal sealed class ClamdConnection : IAsyncDisposable
{
    // Replies are one short line; anything longer is garbage and is cut off here.
    private const int MaxReplyLength = 4096;

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly TimeSpan _ioTimeout;
    private readonly ILogger _logger;

    // One timer for the whole connection, re-armed per operation, so writing a chunk allocates nothing.
    private readonly CancellationTokenSource _timeout = new();
    private CancellationTokenSource? _linked;
    private CancellationToken _linkedFor;

    private ClamdConnection(Socket socket, string endpoint, TimeSpan ioTimeout, ILogger logger)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        Endpoint = endpoint;
        _ioTimeout = ioTimeout;
        _logger = logger;
    }

    public string Endpoint { get; }

    public static async Task<ClamdConnection> OpenAsync(
        ClamdOptions options,
        ILogger logger,
        CancellationToken cancellationToken)
    {
        var endpoint = $"{options.Host}:{options.Port}";
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.ConnectTimeout);
            await socket.ConnectAsync(options.Host, options.Port, timeout.Token);

            logger.Connected(endpoint);
            return new ClamdConnection(socket, endpoint, options.ReadTimeout, logger);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            logger.TimedOut(endpoint, options.ConnectTimeout.TotalSeconds, "connect");
            throw new ClamdUnavailableException(
                $"clamd at {endpoint} did not accept a connection within {options.ConnectTimeout.TotalSeconds} s.",
                new TimeoutException());
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            logger.Unreachable(endpoint, ex.SocketErrorCode.ToString());
            throw new ClamdUnavailableException($"clamd at {endpoint} is unreachable ({ex.SocketErrorCode}).", ex);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Sends bytes; false when clamd closed or reset the connection (a reply may still be there).</summary>
    public async ValueTask<bool> TryWriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var token = StartOperation(cancellationToken);
        try
        {
            await _stream.WriteAsync(data, token);
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw TimedOut("write");
        }
        catch (IOException)
        {
            return false;
        }
        finally
        {
            StopOperation();
        }
    }

    /// <summary>Reads one NUL-terminated reply (the z-prefixed command form), without the terminator.</summary>
    public async Task<string> ReadReplyAsync(CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(MaxReplyLength);
        var token = StartOperation(cancellationToken);
        try
        {
            var length = 0;
            while (length < MaxReplyLength)
            {
                int read;
                try
                {
                    read = await _stream.ReadAsync(buffer.AsMemory(length, MaxReplyLength - length), token);
                }
                catch (IOException ex) when (length == 0)
                {
                    throw new ClamdUnavailableException(
                        $"clamd at {Endpoint} reset the connection before replying.",
                        ex);
                }
                catch (IOException)
                {
                    // A reset after part of a reply: hand over what arrived; the parser refuses anything incomplete.
                    break;
                }

                if (read == 0)
                {
                    break;
                }

                var terminator = Array.IndexOf(buffer, (byte)0, length, read);
                if (terminator >= 0)
                {
                    return Encoding.UTF8.GetString(buffer, 0, terminator);
                }

                length += read;
            }

            if (length == 0)
            {
                throw new ClamdUnavailableException($"clamd at {Endpoint} closed the connection without a reply.");
            }

            return Encoding.UTF8.GetString(buffer, 0, length);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw TimedOut("reply");
        }
        finally
        {
            StopOperation();
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _socket.Dispose();
        _linked?.Dispose();
        _timeout.Dispose();
    }

    private CancellationToken StartOperation(CancellationToken cancellationToken)
    {
        _timeout.CancelAfter(_ioTimeout);
        if (!cancellationToken.CanBeCanceled)
        {
            return _timeout.Token;
        }

        // Callers pass the same token for every chunk of a scan, so the linked source is built once per scan.
        if (_linked is null || _linkedFor != cancellationToken)
        {
            _linked?.Dispose();
            _linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _timeout.Token);
            _linkedFor = cancellationToken;
        }

        return _linked.Token;
    }

    private void StopOperation()
    {
        if (!_timeout.IsCancellationRequested)
        {
            _timeout.CancelAfter(Timeout.InfiniteTimeSpan);
        }
    }

    private ClamdUnavailableException TimedOut(string operation)
    {
        _logger.TimedOut(Endpoint, _ioTimeout.TotalSeconds, operation);
        return new ClamdUnavailableException(
            $"clamd at {Endpoint} did not answer within {_ioTimeout.TotalSeconds} s ({operation}).",
            new TimeoutException());
    }
}
