using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace TusUpload.ClamAV;

/// <summary>
/// A push-style INSTREAM scan: write the content in pieces of any size, then complete to get the verdict.
/// Lets a caller hash and scan the same bytes in one read. Not thread-safe; one writer at a time.
/// </summary>
public sealed class ClamdScanSession : IAsyncDisposable
{
    private const int PrefixLength = 4;

    private static readonly byte[] InstreamCommand = "zINSTREAM\0"u8.ToArray();

    private readonly ClamdOptions _options;
    private readonly ILogger _logger;
    private readonly string? _uploadId;
    private readonly long _startedAt = Stopwatch.GetTimestamp();

    // One frame: a 4-byte big-endian length prefix, then up to ChunkSize - 4 bytes of content.
    private readonly int _payloadCapacity;
    private byte[]? _frame;
    private int _buffered;

    private ClamdConnection? _connection;

    // Set as soon as the outcome is known without clamd's final reply: over the limit, or clamd ended the stream.
    private ScanVerdict? _earlyVerdict;
    private bool _finished;

    internal ClamdScanSession(ClamdOptions options, ILogger logger, string? uploadId)
    {
        _options = options;
        _logger = logger;
        _uploadId = uploadId;
        _payloadCapacity = options.ChunkSize - PrefixLength;
        _frame = ArrayPool<byte>.Shared.Rent(options.ChunkSize);
    }

    /// <summary>Bytes written so far, including any that were not sent because the verdict was already known.</summary>
    public long BytesWritten { get; private set; }

    /// <summary>True when the verdict is known early (e.g. over the size limit); later writes are ignored.</summary>
    public bool IsDecided => _earlyVerdict is not null;

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        var frame = ThrowIfFinished();
        cancellationToken.ThrowIfCancellationRequested();

        BytesWritten += content.Length;
        if (_earlyVerdict is not null)
        {
            return;
        }

        if (BytesWritten > _options.MaxStreamLength)
        {
            await RejectOverLimitAsync();
            return;
        }

        await RunAsync(WriteBufferedAsync(frame, content, cancellationToken));
    }

    /// <summary>Ends the stream and returns the verdict, or throws <see cref="ClamdUnavailableException"/>.</summary>
    public async Task<ScanVerdict> CompleteAsync(CancellationToken cancellationToken = default)
    {
        var frame = ThrowIfFinished();
        _finished = true;

        ScanVerdict verdict;
        try
        {
            verdict = _earlyVerdict ?? await FinishStreamAsync(frame, cancellationToken);
        }
        finally
        {
            await ReleaseAsync();
        }

        LogVerdict(verdict);
        return verdict;
    }

    public async ValueTask DisposeAsync()
    {
        _finished = true;
        await ReleaseAsync();
    }

    // Reads the source straight into the frame buffer: no second copy for the stream API.
    internal async Task<ScanVerdict> ScanAsync(Stream source, CancellationToken cancellationToken)
    {
        var frame = ThrowIfFinished();
        while (_earlyVerdict is null)
        {
            var read = await source.ReadAsync(
                frame.AsMemory(PrefixLength + _buffered, _payloadCapacity - _buffered),
                cancellationToken);
            if (read == 0)
            {
                break;
            }

            BytesWritten += read;
            if (BytesWritten > _options.MaxStreamLength)
            {
                await RejectOverLimitAsync();
                break;
            }

            _buffered += read;
            if (_buffered == _payloadCapacity)
            {
                await RunAsync(SendFrameAsync(frame, cancellationToken));
            }
        }

        return await CompleteAsync(cancellationToken);
    }

    private async ValueTask WriteBufferedAsync(
        byte[] frame,
        ReadOnlyMemory<byte> content,
        CancellationToken cancellationToken)
    {
        while (!content.IsEmpty && _earlyVerdict is null)
        {
            var take = Math.Min(_payloadCapacity - _buffered, content.Length);
            content.Span[..take].CopyTo(frame.AsSpan(PrefixLength + _buffered));
            _buffered += take;
            content = content[take..];

            if (_buffered == _payloadCapacity)
            {
                await SendFrameAsync(frame, cancellationToken);
            }
        }
    }

    private async Task<ScanVerdict> FinishStreamAsync(byte[] frame, CancellationToken cancellationToken)
    {
        if (_buffered > 0)
        {
            await SendFrameAsync(frame, cancellationToken);
            if (_earlyVerdict is not null)
            {
                return _earlyVerdict;
            }
        }

        // A zero-length chunk ends the stream; clamd then scans and replies.
        var connection = await ConnectAsync(cancellationToken);
        BinaryPrimitives.WriteInt32BigEndian(frame, 0);
        if (!await connection.TryWriteAsync(frame.AsMemory(0, PrefixLength), cancellationToken))
        {
            return await ReadEarlyReplyAsync(connection, cancellationToken);
        }

        var reply = await connection.ReadReplyAsync(cancellationToken);
        return ClamdReply.ParseScan(reply);
    }

    private async ValueTask SendFrameAsync(byte[] frame, CancellationToken cancellationToken)
    {
        var connection = await ConnectAsync(cancellationToken);
        BinaryPrimitives.WriteInt32BigEndian(frame, _buffered);
        var sent = await connection.TryWriteAsync(frame.AsMemory(0, PrefixLength + _buffered), cancellationToken);
        _buffered = 0;

        if (!sent)
        {
            _earlyVerdict = await ReadEarlyReplyAsync(connection, cancellationToken);
        }
    }

    private async ValueTask<ClamdConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        if (_connection is not null)
        {
            return _connection;
        }

        _connection = await ClamdConnection.OpenAsync(_options, _logger, cancellationToken);
        if (!await _connection.TryWriteAsync(InstreamCommand, cancellationToken))
        {
            throw new ClamdUnavailableException($"clamd at {_connection.Endpoint} closed the connection at once.");
        }

        return _connection;
    }

    // clamd closes the socket mid-stream when the stream passes its StreamMaxLength, after writing why.
    private async Task<ScanVerdict> ReadEarlyReplyAsync(ClamdConnection connection, CancellationToken cancellationToken)
    {
        _logger.ClosedEarly(connection.Endpoint, _uploadId, BytesWritten);
        var verdict = ClamdReply.ParseScan(await connection.ReadReplyAsync(cancellationToken));

        // clamd saw only part of the content, so "OK" here proves nothing about the rest.
        return verdict.IsClean
            ? ScanVerdict.Error("clamd ended the stream before all content was sent")
            : verdict;
    }

    private async ValueTask RejectOverLimitAsync()
    {
        _logger.StreamOverLimit(_uploadId, _options.MaxStreamLength);
        _earlyVerdict = ScanVerdict.Error(
            $"content is longer than the scan limit of {_options.MaxStreamLength} bytes");
        _buffered = 0;

        // Ending the INSTREAM properly would make clamd scan a prefix; dropping the connection is the honest end.
        await DisposeConnectionAsync();
    }

    // A failed write or read leaves the connection in an unknown state, so the session cannot go on.
    private async ValueTask RunAsync(ValueTask operation)
    {
        try
        {
            await operation;
        }
        catch
        {
            _finished = true;
            await ReleaseAsync();
            throw;
        }
    }

    private void LogVerdict(ScanVerdict verdict)
    {
        var elapsed = Stopwatch.GetElapsedTime(_startedAt).TotalMilliseconds;
        switch (verdict.Outcome)
        {
            case ScanOutcome.Clean:
                _logger.ScanClean(_uploadId, BytesWritten, elapsed);
                break;
            case ScanOutcome.Infected:
                _logger.ScanInfected(_uploadId, BytesWritten, verdict.Signature!, elapsed);
                break;
            default:
                _logger.ScanError(_uploadId, BytesWritten, verdict.Reason!, elapsed);
                break;
        }
    }

    private byte[] ThrowIfFinished()
    {
        if (_finished || _frame is null)
        {
            throw new InvalidOperationException("The scan session is already completed, failed or disposed.");
        }

        return _frame;
    }

    private async ValueTask ReleaseAsync()
    {
        await DisposeConnectionAsync();

        var frame = _frame;
        _frame = null;
        if (frame is not null)
        {
            ArrayPool<byte>.Shared.Return(frame);
        }
    }

    private async ValueTask DisposeConnectionAsync()
    {
        var connection = _connection;
        _connection = null;
        if (connection is not null)
        {
            await connection.DisposeAsync();
        }
    }
}
