using Microsoft.Extensions.Logging.Abstractions;
using TusUpload.Pipeline.IntegrationTests.Ledger;
using TusUpload.Pipeline.Ledger;
using TusUpload.Pipeline.Lifecycle;
using TusUpload.Pipeline.Outbox;
using TusUpload.Protocol.Storage;
using static TusUpload.Pipeline.IntegrationTests.Ledger.LedgerTestData;

namespace TusUpload.Pipeline.IntegrationTests.Outbox;

/// <summary>
/// The relay's backoff on a real SQLite ledger that another connection's lock makes unwritable (its writes fail
/// after a busy timeout of 1 s): a completion committed once the lock is gone ends the backoff after the ledger
/// failure at once; with nothing committed since the failed attempt, or with the broker down, the backoff is
/// waited out. Every backoff here is minutes long, far past every wait, so an event seen within a wait did not
/// wait the backoff out.
/// </summary>
public sealed class OutboxRelayBackoffTests
{
    private const int PublishFailedEvent = 4102;

    private const int LedgerErrorEvent = 4103;

    private const int LedgerUnavailableEvent = 4107;

    private const int RecoveredEvent = 4104;

    private const int BackoffEndedEvent = 4106;

    private static readonly TimeSpan LongBackoff = TimeSpan.FromMinutes(5);

    private static readonly TimeSpan BusyTimeout = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task A_completion_committed_after_a_ledger_failure_ends_the_backoff_and_goes_out_at_once()
    {
        await using var factory = new SqliteLedgerFactory();
        await using var ledger = factory.Create(busyTimeout: BusyTimeout);
        await ledger.InitializeAsync(CancellationToken.None).WaitAsync(Wait);
        var signal = new OutboxSignal();
        var logger = new RecordingLogger<OutboxRelay>();
        var publisher = new FlakyRecordingPublisher(failures: 0, TimeSpan.Zero);
        var relay = RelayHarness.Create(ledger, publisher, signal, LongBackoff, logger);

        bool claimFailed;
        await using (await ForeignWriteLock.TakeAsync(factory.DatabasePath))
        {
            await relay.StartAsync(CancellationToken.None).WaitAsync(Wait);
            claimFailed = await logger.LoggedAsync(LedgerUnavailableEvent, Wait);
        }

        var uploadId = NewUploadId();
        await LifecycleOf(ledger, signal).CompletedAsync(Completed(uploadId), CancellationToken.None).WaitAsync(Wait);
        var delivered = await RelayHarness.EventuallyAsync(() => publisher.Published.Contains(uploadId), Wait);
        await relay.StopAsync(CancellationToken.None).WaitAsync(Wait);

        Assert.True(claimFailed, "the relay's claim did not fail while the ledger was locked");
        Assert.True(delivered, $"the completion was not published within {Wait} of its commit");
        Assert.Equal(1, logger.Count(LedgerUnavailableEvent));
        Assert.Equal(0, logger.Count(LedgerErrorEvent)); // an outage is a Warning, not an Error with a stack trace
        Assert.Equal(1, logger.Count(BackoffEndedEvent));
        Assert.Equal(0, await ledger.CountUnsentOutboxAsync(CancellationToken.None).WaitAsync(Wait));
    }

    [Fact]
    public async Task A_ledger_failure_with_nothing_committed_after_it_waits_out_its_backoff()
    {
        await using var factory = new SqliteLedgerFactory();
        await using var ledger = factory.Create(busyTimeout: BusyTimeout);
        await ledger.InitializeAsync(CancellationToken.None).WaitAsync(Wait);
        var signal = new OutboxSignal();
        var logger = new RecordingLogger<OutboxRelay>();
        var relay = RelayHarness.Create(
            ledger,
            new FlakyRecordingPublisher(failures: 0, TimeSpan.Zero),
            signal,
            LongBackoff,
            logger);

        // A wake-up from before the attempt (a completion that committed just before the outage) is answered by
        // that attempt, so it must not end the backoff after it.
        signal.Notify();
        int attempts;
        await using (await ForeignWriteLock.TakeAsync(factory.DatabasePath))
        {
            await relay.StartAsync(CancellationToken.None).WaitAsync(Wait);
            Assert.True(
                await logger.LoggedAsync(LedgerUnavailableEvent, Wait),
                "the claim did not fail under the lock");

            // A second attempt would fail one busy timeout after it began; half a second more is ample.
            await Task.Delay(BusyTimeout + TimeSpan.FromMilliseconds(500));
            attempts = logger.Count(LedgerUnavailableEvent);
        }

        await relay.StopAsync(CancellationToken.None).WaitAsync(Wait);

        Assert.Equal(1, attempts);
        Assert.Equal(0, logger.Count(BackoffEndedEvent));
    }

    [Fact]
    public async Task Completions_during_a_broker_outage_do_not_cut_the_publish_backoff_short()
    {
        await using var factory = new SqliteLedgerFactory();
        await using var ledger = factory.Create();
        var signal = new OutboxSignal();
        var logger = new RecordingLogger<OutboxRelay>();
        var publisher = new FlakyRecordingPublisher(failures: int.MaxValue, TimeSpan.Zero);
        var relay = RelayHarness.Create(ledger, publisher, signal, LongBackoff, logger);
        var lifecycle = LifecycleOf(ledger, signal);
        await relay.StartAsync(CancellationToken.None).WaitAsync(Wait);

        await lifecycle.CompletedAsync(Completed(NewUploadId()), CancellationToken.None).WaitAsync(Wait);
        var refused = await logger.LoggedAsync(PublishFailedEvent, Wait);
        for (var i = 0; i < 3; i++)
        {
            await lifecycle.CompletedAsync(Completed(NewUploadId()), CancellationToken.None).WaitAsync(Wait);
        }

        // A publish following a wake-up starts within milliseconds; give it far more.
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        var failedPublishes = publisher.FailedCalls;
        await relay.StopAsync(CancellationToken.None).WaitAsync(Wait);

        Assert.True(refused, "the first publish was not refused");
        Assert.Equal(1, failedPublishes);
        Assert.Equal(1, logger.Count(PublishFailedEvent));
        Assert.Equal(0, logger.Count(BackoffEndedEvent));
        Assert.Equal(4, await ledger.CountUnsentOutboxAsync(CancellationToken.None).WaitAsync(Wait));
    }

    [Fact]
    public async Task A_pass_that_works_on_an_empty_outbox_resets_the_backoff_after_a_ledger_outage()
    {
        // Failures 1 to 4 back off up to 1, 2, 4 and 8 s; a fifth failure counted on from there would wait 8 to 16 s.
        const int OutageFailures = 4;
        var initial = TimeSpan.FromSeconds(1);
        await using var factory = new SqliteLedgerFactory();
        await using var sqlite = factory.Create(busyTimeout: BusyTimeout);
        await sqlite.InitializeAsync(CancellationToken.None).WaitAsync(Wait);
        var ledger = OutboxPassCounter.Wrap(sqlite, out var passes);
        var timers = new SteppedTimers();
        var logger = new RecordingLogger<OutboxRelay>();
        var publisher = new FlakyRecordingPublisher(failures: 0, TimeSpan.Zero);
        var relay = RelayHarness.Create(ledger, publisher, initial, TimeSpan.FromHours(1), timers, logger);

        TimeSpan outageBackoff;
        await using (await ForeignWriteLock.TakeAsync(factory.DatabasePath))
        {
            await relay.StartAsync(CancellationToken.None).WaitAsync(Wait);
            outageBackoff = await timers.NextAsync(Wait);
            for (var failure = 2; failure <= OutageFailures; failure++)
            {
                timers.FireNext();
                outageBackoff = await timers.NextAsync(Wait);
            }
        }

        // The ledger is back and the outbox is empty: the retry claims nothing and counts nothing, and works.
        timers.FireNext();
        var worked = await RelayHarness.EventuallyAsync(() => passes.Passes > 0, Wait);

        TimeSpan nextOutageBackoff;
        await using (await ForeignWriteLock.TakeAsync(factory.DatabasePath))
        {
            nextOutageBackoff = await timers.NextAsync(Wait);
        }

        await relay.StopAsync(CancellationToken.None).WaitAsync(Wait);

        Assert.InRange(outageBackoff, 4 * initial, 8 * initial);
        Assert.True(worked, "no pass worked after the lock was gone");
        Assert.Empty(publisher.Published);
        Assert.Equal(OutageFailures + 1, logger.Count(LedgerUnavailableEvent));
        Assert.InRange(nextOutageBackoff, initial / 2, initial);
        Assert.Equal(
            ["The outbox relay works again after 4 failed attempts; its first pass since published 0 events"],
            logger.Messages(RecoveredEvent));
    }

    [Fact]
    public async Task The_first_pass_that_publishes_after_a_broker_outage_says_the_relay_works_again()
    {
        await using var factory = new SqliteLedgerFactory();
        await using var ledger = factory.Create();
        var signal = new OutboxSignal();
        var logger = new RecordingLogger<OutboxRelay>();
        var publisher = new FlakyRecordingPublisher(failures: 2, TimeSpan.Zero);
        var timers = new SteppedTimers();
        var relay = RelayHarness.Create(ledger, publisher, TimeSpan.FromSeconds(1), LongBackoff, timers, logger);
        var uploadId = NewUploadId();
        await LifecycleOf(ledger, signal).CompletedAsync(Completed(uploadId), CancellationToken.None).WaitAsync(Wait);

        await relay.StartAsync(CancellationToken.None).WaitAsync(Wait);
        for (var failure = 1; failure <= 2; failure++)
        {
            await timers.NextAsync(Wait);
            timers.FireNext();
        }

        var delivered = await RelayHarness.EventuallyAsync(() => publisher.Published.Contains(uploadId), Wait);
        var recovered = await logger.LoggedAsync(RecoveredEvent, Wait);
        await relay.StopAsync(CancellationToken.None).WaitAsync(Wait);

        Assert.True(delivered, "the completion was not published once the broker took it");
        Assert.True(recovered, "the relay did not say it works again");
        Assert.Equal(2, logger.Count(PublishFailedEvent));
        Assert.Equal(
            ["The outbox relay works again after 2 failed attempts; its first pass since published 1 events"],
            logger.Messages(RecoveredEvent));
    }

    /// <summary>The server's lifecycle: records the completion with its outbox row, then wakes the relay.</summary>
    private static LedgerUploadLifecycle LifecycleOf(IUploadLedger ledger, OutboxSignal signal) =>
        new(ledger, new UnusedBlobStore(), signal, TimeProvider.System, NullLogger<LedgerUploadLifecycle>.Instance);

    private static UploadInfo Completed(string uploadId) => new() { Id = uploadId, Length = 5, Offset = 5 };
}
