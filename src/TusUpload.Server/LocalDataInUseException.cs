namespace TusUpload.Server;

/// <summary>Another server process holds the local data this one was told to use.</summary>
public sealed class LocalDataInUseException : Exception
{
    public LocalDataInUseException()
    {
    }

    public LocalDataInUseException(string message)
        : base(message)
    {
    }

    public LocalDataInUseException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
