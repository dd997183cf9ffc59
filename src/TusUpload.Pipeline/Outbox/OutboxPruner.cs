using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TusUpload.Pipeline.Ledger;

namespace TusUpload.Pipeline.Outbox;

/// <summary>
/// Deletes outbox rows sent more than <see cref="LedgerOptions.SentOutboxRetention"/> ago, shortly after start-up
/// and then every few minutes, so the outbox does not grow by one row per upload for ever. Every server instance
/// runs one; on a shared PostgreSQL they skip each other's rows, and deleting a row already gone is a no-op.
/// </summary>
public sealed class OutboxPruner(
    IUploadLedger ledger,
    OutboxMetrics metrics,
    IOptions<LedgerOptions> options,
    TimeProvider time,
    ILogger<OutboxPruner> logger) : BackgroundService
{
    /// <summary>
    /// Rows per delete transaction: small enough that SQLite's single writer is held for milliseconds, so the
    /// uploads' own writes queued behind a batch barely notice it, large enough to clear a backlog quickly.
    /// </summary>
    public const int DefaultBatchSize = 1000;

    private readonly TimeSpan _retention = options.Value.SentOutboxRetention;

    /// <summary>Not at once: start-up (claims freed, a backlog to relay) has the ledger's attention first.</summary>
    internal TimeSpan FirstRunDelay { get; init; } = TimeSpan.FromSeconds(30);

    internal TimeSpan Interval { get; init; } = TimeSpan.FromMinutes(5);

    internal int BatchSize { get; init; } = DefaultBatchSize;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(FirstRunDelay, time, stoppingToken);

            using var timer = new PeriodicTimer(Interval, time);
            do
            {
                try
                {
                    await PruneOnceAsync(stoppingToken);
                }
                catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
                {
                    // The rows stay until the next run; a ledger briefly unreachable costs nothing but disk.
                    LedgerLog.OutboxPruneFailed(logger, exception, Interval);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (Exception) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown cut a wait or a batch short (a database driver may report that as its own error rather
            // than a cancellation); the batches before it are committed and the rest waits for the next start.
        }
    }

    /// <summary>One pass: deletes every row sent before now minus the retention; returns how many.</summary>
    public async Task<long> PruneOnceAsync(CancellationToken cancellationToken)
    {
        var sentBefore = time.GetUtcNow() - _retention;

        var pruned = await ledger.PruneSentOutboxAsync(sentBefore, BatchSize, cancellationToken);

        if (pruned > 0)
        {
            metrics.Pruned(pruned);
            LedgerLog.OutboxPruned(logger, pruned, _retention);
        }

        return pruned;
    }
}
