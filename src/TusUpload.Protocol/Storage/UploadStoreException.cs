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
}
