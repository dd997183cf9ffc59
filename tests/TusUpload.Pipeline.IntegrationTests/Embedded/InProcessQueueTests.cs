using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TusUpload.Pipeline.IntegrationTests.Ledger;
using TusUpload.Pipeline.Ledger;
using TusUpload.Pipeline.Messaging.InProcess;
using TusUpload.Pipeline.Outbox;
using static TusUpload.Pipeline.IntegrationTests.Ledger.LedgerTestData;

namespace TusUpload.Pipeline.IntegrationTests.Embedded;

/// <summary>
/// The embedded queue: publish is confirmed by the worker's commit; failures retry, then mark failed.
/// </summary>
public sealed class InProcessQueueTests
{
    [Fact]
    public async Task Publish_returns_only_after_the_worker_handled_every_event_of_the_batch()
    {
        await using var factory = new SqliteLedgerFactory();
        var ledger = factory.Create();
        var consumer = new ScriptedConsumer((_, delivery) => delivery == 1);
        var (publisher, worker) = CreateQueue(ledger, consumer, maxDeliveries: 3);
        await worker.StartAsync(CancellationToken.None).WaitAsync(Wait);
        var batch = await ClaimReceivedAsync(ledger, 4);

        await publisher.PublishAsync(batch, CancellationToken.None).WaitAsync(Wait);
        await worker.StopAsync(CancellationToken.None).WaitAsync(Wait);

        Assert.Equal(batch.Select(m => m.UploadId).Order(), consumer.Handled.Order());
        Assert.All(consumer.Calls, call => Assert.InRange(call.Delivery, 1, 2));
    }

    [Fact]
    public async Task Event_failing_on_every_delivery_marks_the_upload_failed_after_the_last_one()
    {
        await using var factory = new SqliteLedgerFactory();
        var ledger = factory.Create();
        var uploadId = await ProcessingUploadAsync(ledger, 1);
        var consumer = new ScriptedConsumer((_, _) => true);
        var (publisher, worker) = CreateQueue(ledger, consumer, maxDeliveries: 3);
        await worker.StartAsync(CancellationToken.None).WaitAsync(Wait);
        var batch = await ledger.ClaimOutboxAsync(10, CancellationToken.None).WaitAsync(Wait);

        await publisher.PublishAsync(batch, CancellationToken.None).WaitAsync(Wait);
        await worker.StopAsync(CancellationToken.None).WaitAsync(Wait);

        Assert.Equal([1, 2, 3], consumer.Calls.Select(c => c.Delivery).ToArray());
        var upload = await ledger.GetAsync(uploadId, CancellationToken.None).WaitAsync(Wait);
        Assert.Equal(UploadState.Failed, upload!.State);
        Assert.Contains("failed 3 times", upload.FailureReason, StringComparison.Ordinal);
    }

    private static (InProcessEventPublisher Publisher, InProcessCompletionWorker Worker) CreateQueue(
        IUploadLedger ledger,
        ScriptedConsumer consumer,
        int maxDeliveries)
    {
        var queue = new InProcessCompletionQueue(Options.Create(new PipelineOptions { InProcessQueueCapacity = 2 }));
        var worker = new InProcessCompletionWorker(
            queue,
            consumer,
            ledger,
            Options.Create(new InProcessWorkerOptions
            {
                Concurrency = 2,
                MaxDeliveries = maxDeliveries,
                RetryDelay = TimeSpan.FromMilliseconds(20),
            }),
            TimeProvider.System,
            NullLogger<InProcessCompletionWorker>.Instance);
        return (new InProcessEventPublisher(queue, NullLogger<InProcessEventPublisher>.Instance), worker);
    }

    private static async Task<IReadOnlyList<OutboxMessage>> ClaimReceivedAsync(IUploadLedger ledger, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await ledger.RecordReceivedAsync(NewUploadId(), 1, CancellationToken.None).WaitAsync(Wait);
        }

        return await ledger.ClaimOutboxAsync(count, CancellationToken.None).WaitAsync(Wait);
    }
}
