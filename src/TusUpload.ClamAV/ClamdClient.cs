using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace TusUpload.ClamAV;

/// <summary>
/// Talks to clamd over TCP: PING, VERSION and streaming scans with INSTREAM. Thread-safe; each call opens its
/// own connection, as clamd serves one command per connection.
/// </summary>
public sealed class ClamdClient
{
    private static readonly byte[] PingCommand = "zPING\0"u8.ToArray();
    private static readonly byte[] VersionCommand = "zVERSION\0"u8.ToArray();

    private readonly ClamdOptions _options;
    private readonly ILogger _logger;

    public ClamdClient(ClamdOptions options, ILogger<ClamdClient>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();

        // A copy, so that changing the options object later cannot change a client in use.
        _options = options.Snapshot();
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>host:port of the clamd this client talks to.</summary>
    public string Endpoint => $"{_options.Host}:{_options.Port}";

    /// <summary>Completes when clamd answers PONG; throws <see cref="ClamdUnavailableException"/> otherwise.</summary>
    public async Task PingAsync(CancellationToken cancellationToken = default)
    {
        var reply = await SendCommandAsync(PingCommand, cancellationToken);
        if (reply != "PONG")
        {
            throw new ClamdUnavailableException($"clamd at {Endpoint} answered PING with '{reply}'.");
        }
    }

    /// <summary>clamd's version line, e.g. "ClamAV 1.4.6/27000/…".</summary>
    public Task<string> VersionAsync(CancellationToken cancellationToken = default) =>
        SendCommandAsync(VersionCommand, cancellationToken);

    /// <summary>Scans the stream from its current position to its end.</summary>
    public async Task<ScanVerdict> ScanAsync(Stream content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);

        await using var session = OpenScanSession();
        return await session.ScanAsync(content, cancellationToken);
    }

    /// <summary>
    /// Starts a push-style scan; it connects on the first write. Dispose it if it is not completed.
    /// <paramref name="uploadId"/>, when the content is an upload's, goes into every log line of the scan.
    /// </summary>
    public ClamdScanSession OpenScanSession(string? uploadId = null) => new(_options, _logger, uploadId);

    private async Task<string> SendCommandAsync(byte[] command, CancellationToken cancellationToken)
    {
        await using var connection = await ClamdConnection.OpenAsync(_options, _logger, cancellationToken);
        if (!await connection.TryWriteAsync(command, cancellationToken))
        {
            throw new ClamdUnavailableException($"clamd at {Endpoint} closed the connection at once.");
        }

        var reply = await connection.ReadReplyAsync(cancellationToken);
        return reply.Trim();
    }
}
