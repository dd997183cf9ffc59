using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TusUpload.Pipeline.IntegrationTests.Ledger;
using TusUpload.Pipeline.Ledger;
using TusUpload.Pipeline.Outbox;
using static TusUpload.Pipeline.IntegrationTests.Ledger.LedgerTestData;

namespace TusUpload.Pipeline.IntegrationTests.Outbox;

/// <summary>The pruner as the server runs it: once shortly after start-up, then at every interval.</summary>
public sealed class OutboxPrunerTests
{
    [Fact]
    public async Task Pruner_deletes_expired_sent_rows_after_start_up_and_again_at_its_interval_and_counts_them()
    {
        await using var factory = new SqliteLedgerFactory();
        var clock = new ManualClock(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var ledger = factory.Create(time: clock);
        await SentUploadsAsync(ledger, 4);
        await ReceivedUploadAsync(ledger);
        clock.Advance(TimeSpan.FromDays(8));
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meterFactory = services.GetRequiredService<IMeterFactory>();
        long counted = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, meters) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, meterFactory) && instrument.Name == "tus_outbox_pruned_total")
            {
                meters.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref counted, value));
        listener.Start();
        var pruner = new OutboxPruner(
            ledger,
            new OutboxMetrics(meterFactory),
            Options.Create(new LedgerOptions { SentOutboxRetention = TimeSpan.FromDays(7) }),
            clock,
            NullLogger<OutboxPruner>.Instance)
        {
            FirstRunDelay = TimeSpan.FromMilliseconds(100),
            Interval = TimeSpan.FromMilliseconds(300),
            BatchSize = 3,
        };
        var before = await factory.CountOutboxRowsAsync();

        await pruner.StartAsync(CancellationToken.None).WaitAsync(Wait);
        var afterStartUp = await RowsBecomeAsync(factory, 1);
        await SentUploadsAsync(ledger, 2);
        clock.Advance(TimeSpan.FromDays(8));
        var afterInterval = await RowsBecomeAsync(factory, 1);
        await pruner.StopAsync(CancellationToken.None).WaitAsync(Wait);

        Assert.Equal(5, before);
        Assert.True(afterStartUp, "the rows sent 8 days ago were still there 10 s after start-up");
        Assert.True(afterInterval, "the rows sent 8 days later were still there 10 s on");
        Assert.Equal(1, await ledger.CountUnsentOutboxAsync(CancellationToken.None).WaitAsync(Wait));
        Assert.Equal(6, Interlocked.Read(ref counted));
    }

    /// <summary>Polls the outbox's row count for up to 10 s; false if it never became that.</summary>
    private static async Task<bool> RowsBecomeAsync(SqliteLedgerFactory factory, long count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (await factory.CountOutboxRowsAsync() == count)
            {
                return true;
            }

            await Task.Delay(50);
        }

        return await factory.CountOutboxRowsAsync() == count;
    }

    private static async Task SentUploadsAsync(IUploadLedger ledger, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await ReceivedUploadAsync(ledger);
        }

        // The newest rows are this call's; any older unsent ones get their claims back and stay unsent.
        var claimed = await ledger.ClaimOutboxAsync(1000, CancellationToken.None).WaitAsync(Wait);
        var ids = claimed.Select(message => message.Id).ToList();
        await ledger.MarkOutboxSentAsync(ids[^count..], CancellationToken.None).WaitAsync(Wait);
        await ledger.ReleaseOutboxClaimAsync(ids[..^count], CancellationToken.None).WaitAsync(Wait);
    }

    private static Task ReceivedUploadAsync(IUploadLedger ledger) =>
        ledger.RecordReceivedAsync(NewUploadId(), 1, CancellationToken.None).WaitAsync(Wait);
}
