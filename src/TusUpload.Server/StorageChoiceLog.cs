namespace TusUpload.Server;

/// <summary>Says once at start-up which store and lock the process uses.</summary>
internal sealed class StorageChoiceLog(ILogger<StorageChoiceLog> logger, string storeKind, string lockingKind)
    : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        ServerLog.StorageChosen(logger, storeKind, lockingKind);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
