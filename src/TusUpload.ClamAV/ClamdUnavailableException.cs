namespace TusUpload.ClamAV;

/// <summary>
/// clamd could not be reached or stopped answering (refused, reset, timed out). No verdict exists; retry later.
/// </summary>
public sealed class ClamdUnavailableException : Exception
{
    public ClamdUnavailableException()
        : base("clamd is unavailable.")
    {
    }

    public ClamdUnavailableException(string message)
        : base(message)
    {
    }

    public ClamdUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
