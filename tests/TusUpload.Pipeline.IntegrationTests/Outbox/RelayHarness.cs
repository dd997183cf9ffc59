using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TusUpload.Pipeline.Ledger;
using TusUpload.Pipeline.Messaging;
using TusUpload.Pipeline.Outbox;

namespace TusUpload.Pipeline.IntegrationTests.Outbox;

/// <summary>Builds real relays over a real ledger, with fast backoff so tests stay short.</summary>
internal static class RelayHarness
{
    private static readonly ServiceProvider Metrics = new ServiceCollection().AddMetrics().BuildServiceProvider();

    public static OutboxRelay Create(
        IUploadLedger ledger,
        IEventPublisher publisher,
        int batchSize,
        OutboxMetrics? metrics = null) =>
        new(
            ledger,
            publisher,
            new OutboxSignal(),
            metrics ?? new OutboxMetrics(Metrics.GetRequiredService<IMeterFactory>()),
            Options.Create(new PipelineOptions
            {
                OutboxBatchSize = batchSize,
                OutboxPollInterval = TimeSpan.FromMilliseconds(50),
                RelayInitialBackoff = TimeSpan.FromMilliseconds(50),
                RelayMaxBackoff = TimeSpan.FromMilliseconds(400),
            }),
            TimeProvider.System,
            NullLogger<OutboxRelay>.Instance);

    /// <summary>
    /// A relay whose every backoff is <paramref name="backoff"/> (its jitter makes it half to all of that), woken
    /// by <paramref name="signal"/> as a server's is by its completions.
    /// </summary>
    public static OutboxRelay Create(
        IUploadLedger ledger,
        IEventPublisher publisher,
        OutboxSignal signal,
        TimeSpan backoff,
        ILogger<OutboxRelay> logger) =>
        Create(ledger, publisher, signal, backoff, backoff, TimeProvider.System, logger);

    /// <summary>
    /// A relay whose backoff starts at <paramref name="initialBackoff"/> and doubles up to
    /// <paramref name="maxBackoff"/> (its jitter makes each wait half to all of that), timed by
    /// <paramref name="time"/>; no completion wakes it.
    /// </summary>
    public static OutboxRelay Create(
        IUploadLedger ledger,
        IEventPublisher publisher,
        TimeSpan initialBackoff,
        TimeSpan maxBackoff,
        TimeProvider time,
        ILogger<OutboxRelay> logger) =>
        Create(ledger, publisher, new OutboxSignal(), initialBackoff, maxBackoff, time, logger);

    private static OutboxRelay Create(
        IUploadLedger ledger,
        IEventPublisher publisher,
        OutboxSignal signal,
        TimeSpan initialBackoff,
        TimeSpan maxBackoff,
        TimeProvider time,
        ILogger<OutboxRelay> logger) =>
        new(
            ledger,
            publisher,
            signal,
            new OutboxMetrics(Metrics.GetRequiredService<IMeterFactory>()),
            Options.Create(new PipelineOptions
            {
                OutboxBatchSize = 10,
                OutboxPollInterval = TimeSpan.FromMilliseconds(50),
                RelayInitialBackoff = initialBackoff,
                RelayMaxBackoff = maxBackoff,
            }),
            time,
            logger);

    /// <summary>
    /// Polls until <paramref name="done"/> holds, at most <paramref name="limit"/>; false on time-out.
    /// </summary>
    public static async Task<bool> EventuallyAsync(Func<bool> done, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < deadline)
        {
            if (done())
            {
                return true;
            }

            await Task.Delay(50);
        }

        return done();
    }
}
