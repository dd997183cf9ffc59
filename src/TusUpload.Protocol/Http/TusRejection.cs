namespace TusUpload.Protocol.Http;

/// <summary>
/// A request the protocol refuses: an exact status code and a one-line reason, answered as plain text.
/// Validators throw it so that each rule lives in one place and every handler answers it the same way.
/// </summary>
public sealed class TusRejection : Exception
{
    public TusRejection(int statusCode, string reason)
        : base(reason)
    {
        StatusCode = statusCode;
    }

    public TusRejection()
        : this(400, "Bad request.")
    {
    }

    public TusRejection(string message)
        : this(400, message)
    {
    }

    public TusRejection(string message, Exception innerException)
        : base(message, innerException)
    {
        StatusCode = 400;
    }

    public int StatusCode { get; }

    /// <summary>Seconds for a <c>Retry-After</c> header, when the refusal is temporary.</summary>
    public int? RetryAfterSeconds { get; init; }

    /// <summary>Methods for an <c>Allow</c> header, on a 405.</summary>
    public string? Allow { get; init; }

    public static TusRejection BadRequest(string reason) => new(400, reason);

    public static TusRejection NotFound() => new(404, "Upload not found.");
}
