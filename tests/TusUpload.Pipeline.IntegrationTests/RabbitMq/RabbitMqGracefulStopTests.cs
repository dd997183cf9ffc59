using Microsoft.Extensions.Options;
using TusUpload.Pipeline.IntegrationTests.Outbox;
using TusUpload.Pipeline.Messaging.RabbitMq;

namespace TusUpload.Pipeline.IntegrationTests.RabbitMq;

/// <summary>
/// A consumer stopped gracefully while its deliveries are still in progress (a long outage of clamd, the store or
/// the ledger) hands each message back as a fresh copy instead of letting the channel's close return it, which a
/// quorum queue counts against its delivery limit.
/// </summary>
public sealed class RabbitMqGracefulStopTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Consumer_stopped_again_and_again_mid_delivery_never_uses_up_the_delivery_limit()
    {
        // Arrange: limit 1 dead-letters on the second counted return; three stops in a row must not.
        const int Messages = 3;
        const int Stops = 3;
        var options = RabbitMqTestBroker.UniqueOptions(deliveryLimit: 1);
        var handler = new StallingCompletionConsumer();
        var logger = new RecordingLogger<RabbitMqCompletionConsumer>();
        var ids = Enumerable.Range(1, Messages).Select(i => $"held-{i}").ToList();
        await using var publisher = RabbitMqTestBroker.Publisher(options);

        try
        {
            await publisher.PublishAsync(
                    ids.Select((id, i) => RabbitMqTestBroker.Completion(i + 1, id)).ToList(),
                    CancellationToken.None)
                .WaitAsync(Timeout);

            // Act: each worker takes every message, stalls on all of them and is stopped (SIGTERM's path).
            for (var stop = 1; stop <= Stops; stop++)
            {
                using var consumer = StartableConsumer(options, handler, logger);
                await consumer.StartAsync(CancellationToken.None).WaitAsync(Timeout);
                var holdsAll = await RabbitMqTestBroker.EventuallyAsync(
                    () => handler.Deliveries.Count == stop * Messages,
                    Timeout);
                Assert.True(holdsAll, $"stop {stop}: the consumer got {handler.Deliveries.Count} deliveries in all");
                Assert.All(handler.Deliveries, delivery => Assert.Equal(1, delivery.DeliveryCount));

                await consumer.StopAsync(CancellationToken.None).WaitAsync(Timeout);

                var allReady = await RabbitMqTestBroker.EventuallyAsync(
                    () => RabbitMqTestBroker.MessageCountAsync(options, options.Queue).Result == Messages,
                    TimeSpan.FromSeconds(10));
                Assert.True(allReady, $"stop {stop}: the messages are not all back in the queue");
                Assert.Equal(0u, await RabbitMqTestBroker.MessageCountAsync(options, options.DeadLetterQueue));
            }

            // The outage ends: the next worker finishes every message, each once more and still on its first count.
            handler.FinishFromNowOn();
            using (var last = RabbitMqTestBroker.Consumer(options, handler))
            {
                await last.StartAsync(CancellationToken.None).WaitAsync(Timeout);
                var finished = await RabbitMqTestBroker.EventuallyAsync(
                    () => handler.Finished.Count == Messages,
                    Timeout);
                await last.StopAsync(CancellationToken.None).WaitAsync(Timeout);
                Assert.True(finished, $"{handler.Finished.Count} of {Messages} messages finished");
            }

            // Assert
            Assert.All(handler.Deliveries, delivery => Assert.Equal(1, delivery.DeliveryCount));
            Assert.All(ids, id => Assert.Equal(Stops + 1, handler.Deliveries.Count(d => d.UploadId == id)));
            Assert.Equal(ids.Order(), handler.Finished.Order());
            Assert.Equal(0u, await RabbitMqTestBroker.MessageCountAsync(options, options.Queue));
            Assert.Equal(0u, await RabbitMqTestBroker.MessageCountAsync(options, options.DeadLetterQueue));
            Assert.Equal(Messages * Stops, logger.Count(4618));
            Assert.Equal(0, logger.Count(4619) + logger.Count(4620));
        }
        finally
        {
            await RabbitMqTestBroker.DeleteTopologyAsync(options);
        }
    }

    // A short drain, so that the test does not wait the production 15 s per stop.
    private static RabbitMqCompletionConsumer StartableConsumer(
        RabbitMqOptions options,
        StallingCompletionConsumer handler,
        RecordingLogger<RabbitMqCompletionConsumer> logger) =>
        new(Options.Create(options), handler, logger)
        {
            DrainTimeout = TimeSpan.FromMilliseconds(300),
        };
}
