namespace TusUpload.Protocol.Storage;

/// <summary>A store failure the protocol layer maps to a status code instead of a 500.</summary>
public sealed class UploadStoreException : Exception
{
    public UploadStoreException()
    {
    }

    public UploadStoreException(string message)
        : base(message)
    {
    }

    public UploadStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public UploadStoreException(UploadStoreError error, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Error = error;
    }

    public UploadStoreError Error { get; }

    /// <summary>
    /// The one-line reason to answer instead of the generic one of <see cref="Error"/>, when the store knows what is
    /// unavailable (a missing bucket, the lock database) and the client or operator gains by being told.
    /// </summary>
    public string? ClientReason { get; init; }
}
