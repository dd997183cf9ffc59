using TusUpload.Pipeline.IntegrationTests.Ledger;
using static TusUpload.Pipeline.IntegrationTests.Ledger.LedgerTestData;

namespace TusUpload.Pipeline.IntegrationTests.Outbox;

/// <summary>
/// The relay against real ledgers: nothing is lost while the broker is down, nothing published twice.
/// </summary>
public sealed class OutboxRelayTests
{
    [Fact]
    public async Task Relay_drains_every_event_exactly_once_after_the_publisher_failed_for_a_while()
    {
        await using var factory = new SqliteLedgerFactory();
        var ledger = factory.Create();
        var uploadIds = await ReceivedUploadsAsync(ledger, 30);
        var publisher = new FlakyRecordingPublisher(failures: 5, TimeSpan.Zero);
        var relay = RelayHarness.Create(ledger, publisher, batchSize: 8);

        await relay.StartAsync(CancellationToken.None).WaitAsync(Wait);
        var drained = await RelayHarness.EventuallyAsync(() => publisher.Published.Count >= 30, Wait);
        await relay.StopAsync(CancellationToken.None).WaitAsync(Wait);

        Assert.True(drained, $"only {publisher.Published.Count} of 30 events were published");
        Assert.Equal(5, publisher.FailedCalls);
        Assert.Equal(uploadIds.Order(StringComparer.Ordinal), publisher.Published.Order(StringComparer.Ordinal));
        Assert.Equal(0, await ledger.CountUnsentOutboxAsync(CancellationToken.None).WaitAsync(Wait));
    }

    [Fact]
    public async Task A_batch_whose_sent_mark_fails_once_is_marked_at_once_not_republished_after_the_lease()
    {
        await using var factory = new SqliteLedgerFactory();
        var ledger = MarkSentFailsOnce.Wrap(factory.Create(), out var faults);
        var uploadIds = await ReceivedUploadsAsync(ledger, 6);
        var publisher = new FlakyRecordingPublisher(failures: 0, TimeSpan.Zero);
        var relay = RelayHarness.Create(ledger, publisher, batchSize: 10);

        await relay.StartAsync(CancellationToken.None).WaitAsync(Wait);
        var marked = await RelayHarness.EventuallyAsync(
            () => ledger.CountUnsentOutboxAsync(CancellationToken.None).GetAwaiter().GetResult() == 0,
            TimeSpan.FromSeconds(10));
        await relay.StopAsync(CancellationToken.None).WaitAsync(Wait);

        Assert.Equal(1, faults.Failures);
        Assert.True(marked, "the batch was still unsent 10 s after its publish (the claim lease is 60 s)");
        Assert.Equal(uploadIds.Order(StringComparer.Ordinal), publisher.Published.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Events_recorded_while_the_broker_is_down_wait_in_the_outbox_and_leave_once_it_is_back()
    {
        await using var factory = new SqliteLedgerFactory();
        var ledger = factory.Create();
        var publisher = new FlakyRecordingPublisher(failures: 1_000_000, TimeSpan.Zero);
        var relay = RelayHarness.Create(ledger, publisher, batchSize: 10);
        await relay.StartAsync(CancellationToken.None).WaitAsync(Wait);
        var uploadIds = await ReceivedUploadsAsync(ledger, 12);

        await Task.Delay(TimeSpan.FromMilliseconds(500));
        var backlogWhileDown = await ledger.CountUnsentOutboxAsync(CancellationToken.None).WaitAsync(Wait);
        await relay.StopAsync(CancellationToken.None).WaitAsync(Wait);
        var healthy = new FlakyRecordingPublisher(failures: 0, TimeSpan.Zero);
        var restarted = RelayHarness.Create(ledger, healthy, batchSize: 10);
        await restarted.StartAsync(CancellationToken.None).WaitAsync(Wait);
        var drained = await RelayHarness.EventuallyAsync(() => healthy.Published.Count >= 12, Wait);
        await restarted.StopAsync(CancellationToken.None).WaitAsync(Wait);

        Assert.Equal(12, backlogWhileDown);
        Assert.Empty(publisher.Published);
        Assert.True(drained, $"only {healthy.Published.Count} of 12 events were published");
        Assert.Equal(uploadIds.Order(StringComparer.Ordinal), healthy.Published.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Backlog_gauge_counts_the_unsent_rows_while_every_publish_fails()
    {
        await using var factory = new SqliteLedgerFactory();
        var ledger = factory.Create();
        await ReceivedUploadsAsync(ledger, 20);
        using var gauge = new BacklogGaugeReader();
        var publisher = new FlakyRecordingPublisher(failures: 1_000_000, TimeSpan.Zero);
        var relay = RelayHarness.Create(ledger, publisher, batchSize: 8, gauge.Metrics);

        await relay.StartAsync(CancellationToken.None).WaitAsync(Wait);
        var counted = await RelayHarness.EventuallyAsync(
            () => publisher.FailedCalls >= 2 && gauge.Read() == 20,
            TimeSpan.FromSeconds(10));
        await relay.StopAsync(CancellationToken.None).WaitAsync(Wait);

        Assert.True(counted, $"after {publisher.FailedCalls} failed publishes the gauge read {gauge.Read()}, not 20");
        Assert.Empty(publisher.Published);
    }

    [Fact]
    public async Task Two_relays_on_postgres_publish_each_event_exactly_once()
    {
        await using var factory = await PostgresLedgerFactory.CreateAsync();
        var uploadIds = await ReceivedUploadsAsync(factory.Create(), 120);
        var publisher = new FlakyRecordingPublisher(failures: 0, TimeSpan.FromMilliseconds(5));
        var first = RelayHarness.Create(factory.Create(), publisher, batchSize: 7);
        var second = RelayHarness.Create(factory.Create(), publisher, batchSize: 7);

        await Task.WhenAll(first.StartAsync(CancellationToken.None), second.StartAsync(CancellationToken.None))
            .WaitAsync(Wait);
        var drained = await RelayHarness.EventuallyAsync(() => publisher.Published.Count >= 120, Wait);
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        await Task.WhenAll(first.StopAsync(CancellationToken.None), second.StopAsync(CancellationToken.None))
            .WaitAsync(Wait);

        Assert.True(drained, $"only {publisher.Published.Count} of 120 events were published");
        Assert.Equal(uploadIds.Order(StringComparer.Ordinal), publisher.Published.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_stop_that_cuts_a_publish_short_ends_the_relay_cleanly_and_leaves_the_rows_unsent()
    {
        await using var factory = new SqliteLedgerFactory();
        var ledger = factory.Create();
        await ReceivedUploadsAsync(ledger, 3);
        var publisher = new UntilCancelledPublisher();
        var relay = RelayHarness.Create(ledger, publisher, batchSize: 10);
        await relay.StartAsync(CancellationToken.None).WaitAsync(Wait);
        await publisher.Started.WaitAsync(Wait);

        await relay.StopAsync(CancellationToken.None).WaitAsync(Wait);

        // A faulted ExecuteTask is what the host logs as "BackgroundService failed" and then stops on, fatally.
        Assert.NotNull(relay.ExecuteTask);
        Assert.Equal(TaskStatus.RanToCompletion, relay.ExecuteTask.Status);
        Assert.Equal(3, await ledger.CountUnsentOutboxAsync(CancellationToken.None).WaitAsync(Wait));
    }
}
