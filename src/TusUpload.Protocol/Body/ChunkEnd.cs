namespace TusUpload.Protocol.Body;

/// <summary>Why the reading of a request body stopped.</summary>
public enum ChunkEnd
{
    /// <summary>The body ended and its checksum, if any, matched.</summary>
    Complete,

    /// <summary>The body ran past the bytes the upload may still take (413).</summary>
    Overrun,

    /// <summary>The body did not match its <c>Upload-Checksum</c> (460).</summary>
    ChecksumMismatch,

    /// <summary>
    /// A checksum trailer was announced but missing, was malformed or repeated, or came beside the header (400).
    /// </summary>
    BadTrailer,

    /// <summary>The client disconnected.</summary>
    ClientGone,

    /// <summary>
    /// The body broke HTTP's framing: a malformed chunk, or the connection half-closed before the promised
    /// Content-Length (400). What arrived before is kept, as for a client that went away.
    /// </summary>
    Malformed,

    /// <summary>No byte arrived for the idle timeout.</summary>
    Idle,

    /// <summary>A newer request for the same upload asked for the lock.</summary>
    HandedOver,

    /// <summary>The host is stopping.</summary>
    ShuttingDown,
}
