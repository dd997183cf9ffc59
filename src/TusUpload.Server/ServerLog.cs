namespace TusUpload.Server;

/// <summary>Log catalogue of the server host (event ids 3000–3099).</summary>
internal static partial class ServerLog
{
    [LoggerMessage(3000, LogLevel.Information, "Uploads are kept by the {StoreKind} store; locking is {LockingKind}")]
    public static partial void StorageChosen(ILogger logger, string storeKind, string lockingKind);

    [LoggerMessage(3001, LogLevel.Information, "Stopping: in-flight requests have {ShutdownTimeout} to save bytes")]
    public static partial void Stopping(ILogger logger, TimeSpan shutdownTimeout);

    [LoggerMessage(3002, LogLevel.Information, "Stopped")]
    public static partial void Stopped(ILogger logger);

    /// <summary>Only the path: query strings may carry tokens and are never logged.</summary>
    [LoggerMessage(3003, LogLevel.Debug, "{Method} {Path} answered {StatusCode} in {ElapsedMilliseconds:0.0} ms")]
    public static partial void RequestFinished(
        ILogger logger,
        string method,
        string path,
        int statusCode,
        double elapsedMilliseconds);

    [LoggerMessage(3004, LogLevel.Warning, "Readiness check {CheckName} reports {Status}")]
    public static partial void ReadinessFailed(ILogger logger, string checkName, string status);

    [LoggerMessage(
        3005,
        LogLevel.Warning,
        "Setting {Key} is not one the server knows and is ignored: check its spelling against the README")]
    public static partial void UnknownSetting(ILogger logger, string key);
}
