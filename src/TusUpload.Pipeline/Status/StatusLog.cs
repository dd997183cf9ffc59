using Microsoft.Extensions.Logging;

namespace TusUpload.Pipeline.Status;

/// <summary>Log messages of the status endpoint (event ids 4300–4399).</summary>
public static partial class StatusLog
{
    [LoggerMessage(4300, LogLevel.Debug, "Status asked for unknown upload {UploadId}")]
    public static partial void Unknown(ILogger logger, string uploadId);

    [LoggerMessage(4301, LogLevel.Warning, "Status of upload {UploadId} unavailable: the ledger cannot be read")]
    public static partial void LedgerUnavailable(ILogger logger, string uploadId, Exception exception);
}
