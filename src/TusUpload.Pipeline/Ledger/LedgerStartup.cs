using Microsoft.Extensions.Hosting;

namespace TusUpload.Pipeline.Ledger;

/// <summary>
/// Prepares the ledger before the server takes requests, so a broken database fails the start, not an upload.
/// </summary>
public sealed class LedgerStartup(Func<CancellationToken, Task> prepareAsync) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => prepareAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
