using Microsoft.Extensions.Logging;

namespace TusUpload.Worker;

// Event ids 6000–6099 belong to the worker process.
internal static partial class WorkerLog
{
    [LoggerMessage(
        EventId = 6000,
        Level = LogLevel.Information,
        Message = "Worker started: store {StoreKind}, ledger {LedgerKind}, queue {Queue} at {Endpoint}, "
            + "scanning {Scanning}")]
    public static partial void Started(
        this ILogger logger,
        string storeKind,
        string ledgerKind,
        string queue,
        string endpoint,
        bool scanning);

    [LoggerMessage(
        EventId = 6001,
        Level = LogLevel.Information,
        Message = "Serving metrics on http://{Host}:{Port}/metrics")]
    public static partial void MetricsServing(this ILogger logger, string host, int port);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Information, Message = "Worker stopping")]
    public static partial void Stopping(this ILogger logger);

    [LoggerMessage(
        EventId = 6003,
        Level = LogLevel.Warning,
        Message = "Setting {Key} is not one the worker knows and is ignored: check its spelling against the README")]
    public static partial void UnknownSetting(this ILogger logger, string key);
}
