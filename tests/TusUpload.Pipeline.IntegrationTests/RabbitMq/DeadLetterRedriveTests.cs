using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using TusUpload.Pipeline.IntegrationTests.Ledger;
using TusUpload.Pipeline.IntegrationTests.Processing;
using TusUpload.Pipeline.Ledger;
using TusUpload.Pipeline.Messaging.RabbitMq;
using TusUpload.Pipeline.Processing;

namespace TusUpload.Pipeline.IntegrationTests.RabbitMq;

/// <summary>
/// The dead-letter redrive against the real broker and a real SQLite ledger: messages are dead-lettered the ways the
/// broker does it (returned past the delivery limit by consumers whose connections closed without an ack, or
/// rejected), and the redrive decides from the ledger.
/// </summary>
public sealed class DeadLetterRedriveTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Dead_letter_of_a_processing_upload_is_redriven_with_its_count_and_then_processed_to_available()
    {
        // Arrange: a worker took the upload up (processing) and was killed on every delivery the queue made.
        await using var host = ProcessingTestHost.Start(scan: false);
        var id = await host.ReceiveAsync(Encoding.UTF8.GetBytes("killed three times " + Guid.NewGuid()));
        await host.Ledger.BeginProcessingAsync(id, CancellationToken.None).WaitAsync(Timeout);
        var options = RabbitMqTestBroker.UniqueOptions(deliveryLimit: 2);
        options.Redrive.Delay = TimeSpan.FromMilliseconds(100);
        using var redrive = Redrive(options, host);
        var handler = new RecordingCompletionConsumer((completed, attempt) =>
            host.Processor.HandleAsync(completed, attempt, CancellationToken.None));
        using var consumer = RabbitMqTestBroker.Consumer(options, handler);

        try
        {
            await DeadLetters.DeadLetterByTheLimitAsync(options, id);

            // Act
            await redrive.StartAsync(CancellationToken.None).WaitAsync(Timeout);
            var redriven = await DeadLetters.PeekHeadersAsync(options, options.Queue);
            await consumer.StartAsync(CancellationToken.None).WaitAsync(Timeout);
            var settled = await RabbitMqTestBroker.EventuallyAsync(
                () => StateOf(host, id) != UploadState.Processing,
                Timeout);

            // Assert
            Assert.NotNull(redriven);
            Assert.Equal(1, DeadLetterRedrive.RedriveCount(redriven));
            Assert.DoesNotContain("x-death", redriven.Keys);
            Assert.True(settled, "the redriven upload was not processed");
            Assert.Equal(UploadState.Available, StateOf(host, id));
            Assert.Equal(0u, await RabbitMqTestBroker.MessageCountAsync(options, options.DeadLetterQueue));
            Assert.Equal(0u, await RabbitMqTestBroker.MessageCountAsync(options, options.ParkingQueue));
            Assert.Equal(0u, await RabbitMqTestBroker.MessageCountAsync(options, options.Queue));
        }
        finally
        {
            await consumer.StopAsync(CancellationToken.None).WaitAsync(Timeout);
            await redrive.StopAsync(CancellationToken.None).WaitAsync(Timeout);
            await RabbitMqTestBroker.DeleteTopologyAsync(options);
        }
    }

    [Fact]
    public async Task Rejected_and_undecodable_dead_letters_are_parked_even_while_the_upload_is_processing()
    {
        // Arrange: one event of a processing upload rejected, one message that is no event, rejected as well.
        await using var host = ProcessingTestHost.Start(scan: false);
        var id = await host.ReceiveAsync(Encoding.UTF8.GetBytes("rejected " + Guid.NewGuid()));
        await host.Ledger.BeginProcessingAsync(id, CancellationToken.None).WaitAsync(Timeout);
        var options = RabbitMqTestBroker.UniqueOptions();
        using var redrive = Redrive(options, host);

        try
        {
            await DeadLetters.PublishAsync(options, id);
            await DeadLetters.RejectAsync(options);
            await PublishRawAsync(options, "not json"u8.ToArray());
            await DeadLetters.RejectAsync(options);
            Assert.True(await DeadLetters.CountIsAsync(options, options.DeadLetterQueue, 2), "nothing dead-lettered");

            // Act
            await redrive.StartAsync(CancellationToken.None).WaitAsync(Timeout);
            var parked = await DeadLetters.CountIsAsync(options, options.ParkingQueue, 2);

            // Assert: parked with the reason, never redriven, the ledger untouched.
            Assert.True(parked, "the rejected messages were not parked");
            Assert.Equal(0u, await RabbitMqTestBroker.MessageCountAsync(options, options.DeadLetterQueue));
            Assert.Equal(0u, await RabbitMqTestBroker.MessageCountAsync(options, options.Queue));
            var first = await DeadLetters.TakeAsync(options, options.ParkingQueue);
            var second = await DeadLetters.TakeAsync(options, options.ParkingQueue);
            var reasons = new[] { first!, second! }
                .Select(message => DeadLetters.Text(message, DeadLetterRedrive.ParkedBecauseHeader))
                .ToList();
            Assert.Contains(reasons, reason => reason!.Contains("for rejected", StringComparison.Ordinal));
            Assert.Contains(reasons, reason => reason!.Contains("not an upload completed", StringComparison.Ordinal));
            Assert.All(
                [first!, second!],
                message => Assert.NotNull(DeadLetterDeath.Latest(message.BasicProperties.Headers)));
            Assert.Equal(UploadState.Processing, StateOf(host, id));
        }
        finally
        {
            await redrive.StopAsync(CancellationToken.None).WaitAsync(Timeout);
            await RabbitMqTestBroker.DeleteTopologyAsync(options);
        }
    }

    [Fact]
    public async Task Dead_letter_of_a_failed_upload_is_parked_and_the_upload_stays_failed()
    {
        // Arrange: the processor marked the upload failed on its last delivery, then the limit dead-lettered it.
        await using var host = ProcessingTestHost.Start(scan: false);
        var id = await host.ReceiveAsync(Encoding.UTF8.GetBytes("failed " + Guid.NewGuid()));
        await host.Ledger.MarkFailedAsync(id, "gave up after 2 deliveries: test", CancellationToken.None)
            .WaitAsync(Timeout);
        var options = RabbitMqTestBroker.UniqueOptions(deliveryLimit: 1);
        using var redrive = Redrive(options, host);

        try
        {
            await DeadLetters.DeadLetterByTheLimitAsync(options, id);

            // Act
            await redrive.StartAsync(CancellationToken.None).WaitAsync(Timeout);
            var parked = await DeadLetters.CountIsAsync(options, options.ParkingQueue, 1);

            // Assert
            Assert.True(parked, "the failed upload's dead letter was not parked");
            var message = await DeadLetters.TakeAsync(options, options.ParkingQueue);
            Assert.Equal("the ledger says failed", DeadLetters.Text(message!, DeadLetterRedrive.ParkedBecauseHeader));
            Assert.Equal(0u, await RabbitMqTestBroker.MessageCountAsync(options, options.Queue));
            var upload = await host.GetAsync(id);
            Assert.Equal(UploadState.Failed, upload.State);
            Assert.Equal("gave up after 2 deliveries: test", upload.FailureReason);
        }
        finally
        {
            await redrive.StopAsync(CancellationToken.None).WaitAsync(Timeout);
            await RabbitMqTestBroker.DeleteTopologyAsync(options);
        }
    }

    [Fact]
    public async Task Dead_letter_at_the_redrive_bound_marks_the_upload_failed_and_is_parked()
    {
        // Arrange: the message was redriven twice already, the bound.
        await using var host = ProcessingTestHost.Start(scan: false);
        var id = await host.ReceiveAsync(Encoding.UTF8.GetBytes("at the bound " + Guid.NewGuid()));
        await host.Ledger.BeginProcessingAsync(id, CancellationToken.None).WaitAsync(Timeout);
        var options = RabbitMqTestBroker.UniqueOptions(deliveryLimit: 1);
        options.Redrive.MaxRedrives = 2;
        using var redrive = Redrive(options, host);

        try
        {
            await DeadLetters.DeadLetterByTheLimitAsync(options, id, RedrivenTimes(2));

            // Act
            await redrive.StartAsync(CancellationToken.None).WaitAsync(Timeout);
            var parked = await DeadLetters.CountIsAsync(options, options.ParkingQueue, 1);

            // Assert
            Assert.True(parked, "the dead letter at the bound was not parked");
            var upload = await host.GetAsync(id);
            Assert.Equal(UploadState.Failed, upload.State);
            Assert.Contains(
                "dead-lettered 3 times by the delivery limit",
                upload.FailureReason,
                StringComparison.Ordinal);
            Assert.Equal(0u, await RabbitMqTestBroker.MessageCountAsync(options, options.Queue));
            Assert.Equal(0u, await RabbitMqTestBroker.MessageCountAsync(options, options.DeadLetterQueue));
        }
        finally
        {
            await redrive.StopAsync(CancellationToken.None).WaitAsync(Timeout);
            await RabbitMqTestBroker.DeleteTopologyAsync(options);
        }
    }

    [Fact]
    public async Task Ledger_locked_by_another_writer_holds_the_decision_and_it_completes_once_the_lock_goes()
    {
        // Arrange: at the bound, so the decision writes (the failed mark), and SQLite writes wait 1 s at most.
        await using var host = ProcessingTestHost.Start(scan: false, extra: ("Ledger:BusyTimeout", "00:00:01"));
        var id = await host.ReceiveAsync(Encoding.UTF8.GetBytes("ledger locked " + Guid.NewGuid()));
        await host.Ledger.BeginProcessingAsync(id, CancellationToken.None).WaitAsync(Timeout);
        var options = RabbitMqTestBroker.UniqueOptions(deliveryLimit: 1);
        options.Redrive.MaxRedrives = 0;
        using var redrive = Redrive(options, host);

        try
        {
            await DeadLetters.DeadLetterByTheLimitAsync(options, id);
            var foreign = await ForeignWriteLock.TakeAsync(Path.Combine(host.Root, "ledger.db"));

            // Act: held while the lock lasts (several tries of 1 s each), then decided once it is gone.
            await redrive.StartAsync(CancellationToken.None).WaitAsync(Timeout);
            var taken = await DeadLetters.CountIsAsync(options, options.DeadLetterQueue, 0);
            await Task.Delay(TimeSpan.FromSeconds(4));
            var parkedDuringLock = await RabbitMqTestBroker.MessageCountAsync(options, options.ParkingQueue);
            var stateDuringLock = StateOf(host, id);
            await foreign.DisposeAsync();
            var parked = await DeadLetters.CountIsAsync(options, options.ParkingQueue, 1);

            // Assert: nothing settled while the ledger could not say so, and nothing left behind after.
            Assert.True(taken, "the redrive never took the dead letter");
            Assert.Equal(0u, parkedDuringLock);
            Assert.Equal(UploadState.Processing, stateDuringLock);
            Assert.True(parked, "the dead letter was not parked once the ledger was back");
            Assert.Equal(UploadState.Failed, StateOf(host, id));
            Assert.Equal(0u, await RabbitMqTestBroker.MessageCountAsync(options, options.DeadLetterQueue));
        }
        finally
        {
            await redrive.StopAsync(CancellationToken.None).WaitAsync(Timeout);
            await RabbitMqTestBroker.DeleteTopologyAsync(options);
        }
    }

    [Fact]
    public async Task Redrive_waits_its_delay_after_the_death_while_a_later_dead_letter_is_parked_first()
    {
        // Arrange: A dead-lettered by the limit, then B rejected behind it in the dead-letter queue.
        await using var host = ProcessingTestHost.Start(scan: false);
        var a = await host.ReceiveAsync(Encoding.UTF8.GetBytes("waits " + Guid.NewGuid()));
        await host.Ledger.BeginProcessingAsync(a, CancellationToken.None).WaitAsync(Timeout);
        var options = RabbitMqTestBroker.UniqueOptions(deliveryLimit: 1);
        options.Redrive.Delay = TimeSpan.FromSeconds(3);
        using var redrive = Redrive(options, host);

        try
        {
            await DeadLetters.DeadLetterByTheLimitAsync(options, a);
            var death = DeadLetterDeath.Latest(await DeadLetters.PeekHeadersAsync(options, options.DeadLetterQueue));
            await PublishRawAsync(options, "not json"u8.ToArray());
            await DeadLetters.RejectAsync(options);
            Assert.True(await DeadLetters.CountIsAsync(options, options.DeadLetterQueue, 2), "B not dead-lettered");

            // Act
            await redrive.StartAsync(CancellationToken.None).WaitAsync(Timeout);
            var bParked = await DeadLetters.CountIsAsync(options, options.ParkingQueue, 1);
            var aWaiting = await RabbitMqTestBroker.MessageCountAsync(options, options.Queue);
            var aRedriven = await DeadLetters.CountIsAsync(options, options.Queue, 1);
            var redrivenAt = DateTimeOffset.UtcNow;

            // Assert: B, behind A, was parked while A waited; A came back no sooner than its delay after its death
            // (the broker records the death in whole seconds, so a second's rounding is allowed).
            Assert.True(bParked, "B was not parked");
            Assert.Equal(0u, aWaiting);
            Assert.True(aRedriven, "A was not redriven");
            Assert.NotNull(death?.Time);
            Assert.True(
                redrivenAt >= death.Time.Value + options.Redrive.Delay,
                $"redriven at {redrivenAt:O}, died at {death.Time:O}");
        }
        finally
        {
            await redrive.StopAsync(CancellationToken.None).WaitAsync(Timeout);
            await RabbitMqTestBroker.DeleteTopologyAsync(options);
        }
    }

    [Fact]
    public async Task Stop_cuts_a_redrive_wait_short_and_the_held_dead_letter_returns_to_its_queue()
    {
        // Arrange: a redrive due in ten minutes.
        await using var host = ProcessingTestHost.Start(scan: false);
        var id = await host.ReceiveAsync(Encoding.UTF8.GetBytes("stopped while held " + Guid.NewGuid()));
        await host.Ledger.BeginProcessingAsync(id, CancellationToken.None).WaitAsync(Timeout);
        var options = RabbitMqTestBroker.UniqueOptions(deliveryLimit: 1);
        options.Redrive.Delay = TimeSpan.FromMinutes(10);
        using var redrive = Redrive(options, host);

        try
        {
            await DeadLetters.DeadLetterByTheLimitAsync(options, id);
            await redrive.StartAsync(CancellationToken.None).WaitAsync(Timeout);
            var held = await DeadLetters.CountIsAsync(options, options.DeadLetterQueue, 0);

            // Act
            await redrive.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(15));
            var returned = await DeadLetters.CountIsAsync(options, options.DeadLetterQueue, 1);

            // Assert
            Assert.True(held, "the redrive never took the dead letter");
            Assert.True(returned, "the held dead letter did not return to its queue");
            Assert.Equal(0u, await RabbitMqTestBroker.MessageCountAsync(options, options.Queue));
            Assert.Equal(0u, await RabbitMqTestBroker.MessageCountAsync(options, options.ParkingQueue));
            Assert.Equal(UploadState.Processing, StateOf(host, id));
        }
        finally
        {
            await RabbitMqTestBroker.DeleteTopologyAsync(options);
        }
    }

    [Fact]
    public async Task Dead_letter_held_for_the_longest_hold_is_returned_and_held_again_not_redriven_early()
    {
        // Arrange: a redrive due in ten minutes, and a longest hold of one second.
        await using var host = ProcessingTestHost.Start(scan: false);
        var id = await host.ReceiveAsync(Encoding.UTF8.GetBytes("held and returned " + Guid.NewGuid()));
        await host.Ledger.BeginProcessingAsync(id, CancellationToken.None).WaitAsync(Timeout);
        var options = RabbitMqTestBroker.UniqueOptions(deliveryLimit: 1);
        options.Redrive.Delay = TimeSpan.FromMinutes(10);
        using var redrive = new DeadLetterRedrive(
            Options.Create(options),
            host.Ledger,
            host.Metrics,
            NullLogger<DeadLetterRedrive>.Instance)
        {
            MaxHold = TimeSpan.FromSeconds(1),
        };

        try
        {
            await DeadLetters.DeadLetterByTheLimitAsync(options, id);

            // Act
            await redrive.StartAsync(CancellationToken.None).WaitAsync(Timeout);
            await Task.Delay(TimeSpan.FromSeconds(4));
            await redrive.StopAsync(CancellationToken.None).WaitAsync(Timeout);
            var headers = await DeadLetters.PeekHeadersAsync(options, options.DeadLetterQueue);

            // Assert: returned by the hold at least twice (and once more by the stop), and nothing else happened.
            Assert.NotNull(headers);
            Assert.True(
                RabbitMqCompletionConsumer.DeliveryAttempt(new BasicProperties { Headers = headers }) >= 4,
                "the held dead letter was not returned and taken again");
            Assert.Equal(0u, await RabbitMqTestBroker.MessageCountAsync(options, options.Queue));
            Assert.Equal(0u, await RabbitMqTestBroker.MessageCountAsync(options, options.ParkingQueue));
            Assert.Equal(UploadState.Processing, StateOf(host, id));
        }
        finally
        {
            await RabbitMqTestBroker.DeleteTopologyAsync(options);
        }
    }

    [Fact]
    public async Task Deferral_copies_keep_the_redrive_count()
    {
        // Arrange: a redriven message whose processing is deferred (a copy requeued at the tail) again and again.
        var options = RabbitMqTestBroker.UniqueOptions();
        var deferring = new RecordingCompletionConsumer((_, _) =>
            throw new ProcessingDeferredException("clamd is unavailable (test)"));
        using var consumer = RabbitMqTestBroker.Consumer(options, deferring);

        try
        {
            await DeadLetters.PublishAsync(options, "deferred-redriven", RedrivenTimes(2));

            // Act
            await consumer.StartAsync(CancellationToken.None).WaitAsync(Timeout);
            var deferred = await RabbitMqTestBroker.EventuallyAsync(() => deferring.Deliveries.Count >= 3, Timeout);
            await consumer.StopAsync(CancellationToken.None).WaitAsync(Timeout);
            var copies = new List<BasicGetResult>();
            while (copies.Count < 10 && await RabbitMqTestBroker.MessageCountAsync(options, options.Queue) > 0)
            {
                copies.Add((await DeadLetters.TakeAsync(options, options.Queue))!);
            }

            // Assert: every delivery was a fresh copy (never counted), and what is left, a copy of a copy (or, when
            // the stop landed in the middle of a deferral, its original, returned), still carries the count.
            Assert.True(deferred, "the message was not deferred three times");
            Assert.All(deferring.Deliveries, delivery => Assert.Equal(1, delivery.DeliveryCount));
            Assert.NotEmpty(copies);
            Assert.All(copies, copy => Assert.Equal(2, DeadLetterRedrive.RedriveCount(copy.BasicProperties.Headers)));
        }
        finally
        {
            await RabbitMqTestBroker.DeleteTopologyAsync(options);
        }
    }

    private static DeadLetterRedrive Redrive(RabbitMqOptions options, ProcessingTestHost host) =>
        new(Options.Create(options), host.Ledger, host.Metrics, NullLogger<DeadLetterRedrive>.Instance);

    private static Dictionary<string, object?> RedrivenTimes(int count) =>
        new() { [DeadLetterRedrive.RedriveCountHeader] = count };

    private static UploadState StateOf(ProcessingTestHost host, string uploadId) =>
        host.Ledger.GetAsync(uploadId, CancellationToken.None).Result!.State;

    private static async Task PublishRawAsync(RabbitMqOptions options, byte[] body)
    {
        await using var connection = await RabbitMqConnections.OpenAsync(options, "tests", CancellationToken.None)
            .WaitAsync(Timeout);
        await using var channel = await connection.CreateChannelAsync().WaitAsync(Timeout);
        await RabbitMqTopology.DeclareAsync(channel, options, CancellationToken.None).WaitAsync(Timeout);
        await channel.BasicPublishAsync(string.Empty, options.Queue, body).AsTask().WaitAsync(Timeout);
    }
}
