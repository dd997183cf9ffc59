using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using TusUpload.Pipeline.IntegrationTests.Outbox;
using TusUpload.Pipeline.IntegrationTests.RabbitMq;
using TusUpload.Pipeline.Ledger;
using TusUpload.Pipeline.Messaging;
using TusUpload.Pipeline.Messaging.InProcess;
using TusUpload.Pipeline.Messaging.RabbitMq;
using TusUpload.Pipeline.Outbox;
using TusUpload.Pipeline.Processing;
using TusUpload.Protocol.Storage;

namespace TusUpload.Pipeline.IntegrationTests.Processing;

/// <summary>
/// An outage of the worker's own infrastructure (the ledger's database, the store) lasting longer than every
/// delivery the queue makes would take: the real processor retries and defers, so the upload is delayed and ends
/// available, never failed nor stuck; an error that is the upload's own still ends failed after the last delivery.
/// The hosts retry for 2 s per delivery (Worker:ScannerRetryWindow) before they defer.
/// </summary>
public sealed class OutageDeferralTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(7);

    // The queue makes two counted deliveries (limit 1), and the processor gives up on the second.
    private static readonly (string Key, string Value) TwoDeliveries = ("Worker:MaxDeliveries", "2");

    [Theory]
    [InlineData("ledger")]
    [InlineData("store")]
    public async Task Outage_longer_than_the_deliveries_delays_the_upload_and_it_ends_available_never_dead_lettered(
        string service)
    {
        // Arrange
        await using var host = service == "ledger"
            ? ProcessingTestHost.StartWithLedger(
                scan: false,
                inner => ServiceOutage<IUploadLedger>.Wrap(inner, LedgerUnreachable),
                TwoDeliveries)
            : ProcessingTestHost.StartWithStore(
                scan: false,
                inner => ServiceOutage<IUploadStore>.Wrap(inner, StoreUnavailable),
                TwoDeliveries);
        var id = await host.ReceiveAsync(Encoding.UTF8.GetBytes($"waits out the {service} outage {Guid.NewGuid()}"));
        var outages = service == "ledger" ? Failures(host.Ledger) : Failures(host.Store);

        // Act
        if (service == "ledger")
        {
            ServiceOutage<IUploadLedger>.Of(host.Ledger).Begin(Outage);
        }
        else
        {
            ServiceOutage<IUploadStore>.Of(host.Store).Begin(Outage);
        }

        await ThroughQueueAsync(host, id, async (options, handler) =>
        {
            var settled = await RabbitMqTestBroker.EventuallyAsync(() => Settled(host, id), Timeout);

            // Assert: more deliveries than the limit allows, none of them counted, and nothing dead-lettered.
            var upload = await host.GetAsync(id);
            Assert.True(settled, $"the upload is still {upload.State} after the {service} outage");
            Assert.True(
                upload.State == UploadState.Available,
                $"the upload ended {upload.State}: {upload.FailureReason}");
            Assert.True(outages() > 0, "the outage never met a call, so nothing was proven");
            Assert.True(handler.CountFor(id) > 2, $"only {handler.CountFor(id)} deliveries, so none was deferred");
            Assert.All(handler.Deliveries, delivery => Assert.Equal(1, delivery.DeliveryCount));
            Assert.Equal(0u, await RabbitMqTestBroker.MessageCountAsync(options, options.DeadLetterQueue));
            Assert.Equal(0u, await RabbitMqTestBroker.MessageCountAsync(options, options.Queue));
        });
    }

    [Fact]
    public async Task Upload_whose_data_is_missing_still_ends_failed_and_dead_lettered_after_the_last_delivery()
    {
        // Arrange: the upload's own error, not an outage.
        await using var host = ProcessingTestHost.Start(scan: false, extra: TwoDeliveries);
        var id = await host.ReceiveAsync(Encoding.UTF8.GetBytes("deleted behind the worker's back"));
        await host.Store.DeleteAsync(id, CancellationToken.None).WaitAsync(Timeout);

        // Act
        await ThroughQueueAsync(host, id, async (options, handler) =>
        {
            var deadLettered = await RabbitMqTestBroker.EventuallyAsync(
                () => RabbitMqTestBroker.MessageCountAsync(options, options.DeadLetterQueue).Result == 1,
                Timeout);

            // Assert
            Assert.True(deadLettered, "the message of the upload with no data was not dead-lettered");
            Assert.Equal([1, 2], handler.Deliveries.Select(delivery => delivery.DeliveryCount).ToArray());
            var upload = await host.GetAsync(id);
            Assert.Equal(UploadState.Failed, upload.State);
            Assert.Contains("gave up after 2 deliveries", upload.FailureReason, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Last_delivery_whose_failed_mark_meets_a_ledger_outage_is_deferred_and_marks_it_once_back()
    {
        // Arrange: the upload's data is gone (its own error), and the ledger refuses to mark it failed.
        await using var host = ProcessingTestHost.StartWithLedger(
            scan: false,
            inner => ServiceOutage<IUploadLedger>.Wrap(inner, LedgerUnreachable));
        var id = await host.ReceiveAsync(Encoding.UTF8.GetBytes("no data, and no ledger to say so"));
        await host.Store.DeleteAsync(id, CancellationToken.None).WaitAsync(Timeout);
        var outage = ServiceOutage<IUploadLedger>.Of(host.Ledger);
        outage.OnlyMethod = nameof(IUploadLedger.MarkFailedAsync);
        outage.Begin(TimeSpan.FromMinutes(10));

        // Act
        var deferred = await Assert.ThrowsAsync<ProcessingDeferredException>(() => host.ProcessAsync(id, 6));
        var duringOutage = await host.GetAsync(id);
        outage.Begin(TimeSpan.Zero);
        await Assert.ThrowsAnyAsync<Exception>(() => host.ProcessAsync(id, 6));

        // Assert: not dead-lettered with the ledger saying processing; marked failed once the ledger is back.
        Assert.Contains("ledger", deferred.Message, StringComparison.Ordinal);
        Assert.True(outage.Failures > 0, "the outage met no call, so nothing was proven");
        Assert.Equal(UploadState.Processing, duringOutage.State);
        var upload = await host.GetAsync(id);
        Assert.Equal(UploadState.Failed, upload.State);
        Assert.Contains("gave up after 6 deliveries", upload.FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retries_during_an_outage_wait_doubling_steps_each_jittered_within_its_step()
    {
        // Arrange: the store stays down past the 2 s retry window; the first wait is 200 ms.
        await using var host = ProcessingTestHost.StartWithStore(
            scan: false,
            inner => ServiceOutage<IUploadStore>.Wrap(inner, StoreUnavailable));
        var id = await host.ReceiveAsync(Encoding.UTF8.GetBytes("retries out of step " + Guid.NewGuid()));
        ServiceOutage<IUploadStore>.Of(host.Store).Begin(TimeSpan.FromMinutes(10));
        var logger = new RecordingLogger<CompletionProcessor>();
        var processor = new CompletionProcessor(
            host.Ledger,
            host.Store,
            host.Blobs,
            host.Service<TusUpload.ClamAV.ClamdClient>(),
            host.Service<IOptions<ProcessingOptions>>(),
            host.Service<IOptions<ScanningOptions>>(),
            host.Service<IOptions<TusUpload.ClamAV.ClamdOptions>>(),
            host.Service<ProcessingMetrics>(),
            logger);

        // Act
        await Assert.ThrowsAsync<ProcessingDeferredException>(
            () => processor.HandleAsync(Completed(id), 1, CancellationToken.None).WaitAsync(Timeout));

        // Assert: 0.2, 0.4 and 0.8 s steps, each wait between half and all of its step, not all exactly the step.
        var waits = logger.Messages(4504).Take(3).Select(WaitOf).ToList();
        Assert.Equal(3, waits.Count);
        Assert.InRange(waits[0], 0.1, 0.2);
        Assert.InRange(waits[1], 0.2, 0.4);
        Assert.InRange(waits[2], 0.4, 0.8);
        Assert.NotEqual([0.2, 0.4, 0.8], waits);
    }

    [Fact]
    public async Task Embedded_queue_waits_out_a_ledger_outage_and_the_upload_ends_available()
    {
        // Arrange: the in-process worker as the embedded server runs it, over the real processor.
        await using var host = ProcessingTestHost.StartWithLedger(
            scan: false,
            inner => ServiceOutage<IUploadLedger>.Wrap(inner, LedgerUnreachable),
            TwoDeliveries);
        var id = await host.ReceiveAsync(Encoding.UTF8.GetBytes("embedded, waits for the ledger " + Guid.NewGuid()));
        var batch = await host.Ledger.ClaimOutboxAsync(10, CancellationToken.None).WaitAsync(Timeout);
        var queue = new InProcessCompletionQueue(Options.Create(new PipelineOptions()));
        var worker = new InProcessCompletionWorker(
            queue,
            host.Processor,
            host.Ledger,
            Options.Create(new InProcessWorkerOptions
            {
                MaxDeliveries = 2,
                RetryDelay = TimeSpan.FromMilliseconds(20),
            }),
            TimeProvider.System,
            NullLogger<InProcessCompletionWorker>.Instance);
        var publisher = new InProcessEventPublisher(queue, NullLogger<InProcessEventPublisher>.Instance);
        await worker.StartAsync(CancellationToken.None).WaitAsync(Timeout);

        // Act: the publish returns once the worker has handled the event.
        ServiceOutage<IUploadLedger>.Of(host.Ledger).Begin(Outage);
        await publisher.PublishAsync(batch, CancellationToken.None).WaitAsync(Timeout);
        await worker.StopAsync(CancellationToken.None).WaitAsync(Timeout);

        // Assert
        Assert.Single(batch);
        Assert.True(ServiceOutage<IUploadLedger>.Of(host.Ledger).Failures > 0, "the outage met no call");
        var upload = await host.GetAsync(id);
        Assert.True(upload.State == UploadState.Available, $"the upload ended {upload.State}: {upload.FailureReason}");
    }

    // What Npgsql throws when PostgreSQL refuses the connection: transient, with the socket error inside.
    private static NpgsqlException LedgerUnreachable() => new(
        "Failed to connect to the ledger's database (test outage)",
        new SocketException((int)SocketError.ConnectionRefused));

    // What the S3 store throws when the service cannot be reached.
    private static UploadStoreException StoreUnavailable() => new(
        UploadStoreError.Unavailable,
        "S3 is unavailable (test outage).",
        new HttpRequestException("Connection refused (test outage)"));

    /// <summary>
    /// Publishes the upload's completion to a fresh queue with delivery limit 1 (two counted deliveries), consumed by
    /// the host's real processor through a recording handler; runs <paramref name="check"/>, then removes the queue.
    /// </summary>
    private static async Task ThroughQueueAsync(
        ProcessingTestHost host,
        string uploadId,
        Func<RabbitMqOptions, RecordingCompletionConsumer, Task> check)
    {
        var options = RabbitMqTestBroker.UniqueOptions(deliveryLimit: 1);
        var handler = new RecordingCompletionConsumer((completed, attempt) =>
            host.Processor.HandleAsync(completed, attempt, CancellationToken.None));
        await using var publisher = RabbitMqTestBroker.Publisher(options);
        using var consumer = RabbitMqTestBroker.Consumer(options, handler);
        try
        {
            await consumer.StartAsync(CancellationToken.None).WaitAsync(Timeout);
            await publisher.PublishAsync([RabbitMqTestBroker.Completion(1, uploadId)], CancellationToken.None)
                .WaitAsync(Timeout);
            await check(options, handler);
        }
        finally
        {
            await consumer.StopAsync(CancellationToken.None).WaitAsync(Timeout);
            await RabbitMqTestBroker.DeleteTopologyAsync(options);
        }
    }

    private static bool Settled(ProcessingTestHost host, string uploadId)
    {
        try
        {
            return host.Ledger.GetAsync(uploadId, CancellationToken.None).Result?.State
                is not (UploadState.Received or UploadState.Processing);
        }
        catch (AggregateException)
        {
            // The ledger is still down.
            return false;
        }
    }

    private static UploadCompletedEvent Completed(string id) => new(id, 0, null, DateTimeOffset.UtcNow);

    private static double WaitOf(string message) => double.Parse(
        message.Split("retrying in ", 2)[1].Split(' ', 2)[0],
        System.Globalization.CultureInfo.InvariantCulture);

    private static Func<int> Failures<TService>(TService service)
        where TService : class => () => ServiceOutage<TService>.Of(service).Failures;
}
