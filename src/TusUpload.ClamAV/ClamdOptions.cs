namespace TusUpload.ClamAV;

/// <summary>Where clamd listens and how the client talks to it; defaults suit a clamd on the same host.</summary>
public sealed class ClamdOptions
{
    private const int MinChunkSize = 1024;
    private const int MaxChunkSize = 4 * 1024 * 1024;

    /// <summary>Host name or address of clamd's TCP socket. Default: 127.0.0.1.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>clamd's TCP port (clamd.conf TCPSocket). Default: 3310.</summary>
    public int Port { get; set; } = 3310;

    /// <summary>Longest wait for the TCP connection. Default: 5 seconds.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest wait for one socket write or for clamd's reply (scan included). Default: 2 minutes.</summary>
    public TimeSpan ReadTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Bytes per INSTREAM chunk on the wire, its 4-byte length prefix included. Default: 64 KiB.</summary>
    public int ChunkSize { get; set; } = 64 * 1024;

    /// <summary>
    /// Longest stream the client sends; longer ones get an Error verdict. Keep it at or below clamd's StreamMaxLength.
    /// Default: 25 MiB, clamd's own default.
    /// </summary>
    public long MaxStreamLength { get; set; } = 25L * 1024 * 1024;

    /// <summary>
    /// Throws when a setting is out of range, naming the setting as the operator writes it (section <c>ClamAV</c>);
    /// "ClamdOptions.Port" named a class, not a key the operator could find.
    /// </summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Host))
        {
            throw new ArgumentException("ClamAV:Host must name clamd's host.", nameof(Host));
        }

        if (Port is < 1 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(Port), Port, "ClamAV:Port must be 1–65535.");
        }

        RequirePositive(ConnectTimeout, nameof(ConnectTimeout));
        RequirePositive(ReadTimeout, nameof(ReadTimeout));

        if (ChunkSize is < MinChunkSize or > MaxChunkSize)
        {
            throw new ArgumentOutOfRangeException(
                nameof(ChunkSize),
                ChunkSize,
                $"ClamAV:ChunkSize must be {MinChunkSize}–{MaxChunkSize} bytes.");
        }

        if (MaxStreamLength < 1)
        {
            throw new ArgumentOutOfRangeException(
                nameof(MaxStreamLength),
                MaxStreamLength,
                "ClamAV:MaxStreamLength must be positive.");
        }
    }

    internal ClamdOptions Snapshot() => new()
    {
        Host = Host,
        Port = Port,
        ConnectTimeout = ConnectTimeout,
        ReadTimeout = ReadTimeout,
        ChunkSize = ChunkSize,
        MaxStreamLength = MaxStreamLength,
    };

    private static void RequirePositive(TimeSpan value, string name)
    {
        // Timeout.InfiniteTimeSpan would make a dead clamd hang a worker forever, so it is refused too.
        if (value <= TimeSpan.Zero || value.TotalMilliseconds > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(name, value, $"ClamAV:{name} must be positive and finite.");
        }
    }
}
