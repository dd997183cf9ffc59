namespace TusUpload.Protocol.Storage;

/// <summary>
/// A store's start-up (<see cref="IStoreStartup"/>) could not reach the service it stores in. Not a bad setting,
/// perhaps only an outage that has not passed yet, so the hosts report it apart from those: one
/// <c>Cannot start:</c> line and exit code 1, for the orchestrator to restart the process, instead of a crash with a
/// stack trace.
/// </summary>
public sealed class StoreStartException : Exception
{
    public StoreStartException()
    {
    }

    public StoreStartException(string message)
        : base(message)
    {
    }

    public StoreStartException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
