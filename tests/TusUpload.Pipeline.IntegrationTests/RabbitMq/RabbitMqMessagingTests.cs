using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using TusUpload.Pipeline.Messaging.RabbitMq;
using TusUpload.Pipeline.Processing;

namespace TusUpload.Pipeline.IntegrationTests.RabbitMq;

public sealed class RabbitMqMessagingTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Published_batch_is_confirmed_and_every_event_is_consumed_once_with_its_upload_id()
    {
        // Arrange
        var options = RabbitMqTestBroker.UniqueOptions();
        var handler = new RecordingCompletionConsumer();
        var messages = Enumerable.Range(1, 300)
            .Select(i => RabbitMqTestBroker.Completion(i, $"upload-{i:D4}"))
            .ToList();
        await using var publisher = RabbitMqTestBroker.Publisher(options);
        using var consumer = RabbitMqTestBroker.Consumer(options, handler);

        try
        {
            // Act
            await publisher.PublishAsync(messages, CancellationToken.None).WaitAsync(Timeout);
            await consumer.StartAsync(CancellationToken.None).WaitAsync(Timeout);
            var allArrived = await RabbitMqTestBroker.EventuallyAsync(() => handler.Deliveries.Count >= 300, Timeout);
            await Task.Delay(300);

            // Assert
            Assert.True(allArrived, $"only {handler.Deliveries.Count} of 300 events arrived");
            var received = handler.Deliveries.Select(d => d.UploadId).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(messages.Select(m => m.UploadId), received);
            Assert.All(handler.Deliveries, delivery => Assert.Equal(1, delivery.DeliveryCount));
            Assert.Equal(0u, await RabbitMqTestBroker.MessageCountAsync(options, options.Queue));
        }
        finally
        {
            await consumer.StopAsync(CancellationToken.None).WaitAsync(Timeout);
            await RabbitMqTestBroker.DeleteTopologyAsync(options);
        }
    }

    [Fact]
    public async Task Published_message_is_persistent_cloudevents_json_with_the_upload_id_as_message_id()
    {
        // Arrange
        var options = RabbitMqTestBroker.UniqueOptions();
        await using var publisher = RabbitMqTestBroker.Publisher(options);

        try
        {
            // Act
            await publisher.PublishAsync([RabbitMqTestBroker.Completion(7, "upload-props")], CancellationToken.None)
                .WaitAsync(Timeout);
            await using var connection = await RabbitMqConnections.OpenAsync(options, "tests", CancellationToken.None)
                .WaitAsync(Timeout);
            await using var channel = await connection.CreateChannelAsync().WaitAsync(Timeout);
            var message = await channel.BasicGetAsync(options.Queue, autoAck: true).WaitAsync(Timeout);

            // Assert
            Assert.NotNull(message);
            Assert.Equal("upload-props", message.BasicProperties.MessageId);
            Assert.Equal(DeliveryModes.Persistent, message.BasicProperties.DeliveryMode);
            Assert.Equal(CompletionEventCodec.ContentType, message.BasicProperties.ContentType);
            Assert.Equal("upload.completed", message.RoutingKey);
            Assert.True(CompletionEventCodec.TryDecode(message.Body, out var decoded, out var error), error);
            Assert.Equal("upload-props", decoded!.UploadId);
        }
        finally
        {
            await RabbitMqTestBroker.DeleteTopologyAsync(options);
        }
    }

    [Fact]
    public async Task Topology_declaration_is_idempotent_with_a_parking_queue_and_the_queue_carries_its_delivery_limit()
    {
        // Arrange
        var options = RabbitMqTestBroker.UniqueOptions(deliveryLimit: 3);
        await using var connection = await RabbitMqConnections.OpenAsync(options, "tests", CancellationToken.None)
            .WaitAsync(Timeout);

        try
        {
            // Act: declaring twice is fine; declaring the work queue with another limit must be refused.
            await using (var channel = await connection.CreateChannelAsync().WaitAsync(Timeout))
            {
                await RabbitMqTopology.DeclareAsync(channel, options, CancellationToken.None).WaitAsync(Timeout);
                await RabbitMqTopology.DeclareAsync(channel, options, CancellationToken.None).WaitAsync(Timeout);
                await channel.QueueDeclarePassiveAsync(options.ParkingQueue).WaitAsync(Timeout);
            }

            await using var conflicting = await connection.CreateChannelAsync().WaitAsync(Timeout);
            var otherLimit = RabbitMqTopology.WorkQueueArguments(options);
            otherLimit["x-delivery-limit"] = 4;
            var refused = await Assert.ThrowsAsync<OperationInterruptedException>(() => conflicting
                .QueueDeclareAsync(options.Queue, durable: true, exclusive: false, autoDelete: false, otherLimit)
                .WaitAsync(Timeout));

            // Assert
            Assert.Equal((ushort)406, refused.ShutdownReason?.ReplyCode);
        }
        finally
        {
            await RabbitMqTestBroker.DeleteTopologyAsync(options);
        }
    }

    [Fact]
    public async Task Failing_message_is_dead_lettered_after_the_delivery_limit_without_blocking_others()
    {
        // Arrange
        var options = RabbitMqTestBroker.UniqueOptions(deliveryLimit: 2);
        var handler = new RecordingCompletionConsumer((completed, _) => completed.UploadId == "poison"
            ? throw new InvalidOperationException("always fails")
            : Task.CompletedTask);
        await using var publisher = RabbitMqTestBroker.Publisher(options);
        using var consumer = RabbitMqTestBroker.Consumer(options, handler);
        var messages = new[] { RabbitMqTestBroker.Completion(1, "poison") }
            .Concat(Enumerable.Range(2, 20).Select(i => RabbitMqTestBroker.Completion(i, $"good-{i}")))
            .ToList();

        try
        {
            // Act
            await consumer.StartAsync(CancellationToken.None).WaitAsync(Timeout);
            await publisher.PublishAsync(messages, CancellationToken.None).WaitAsync(Timeout);
            var goodDone = await RabbitMqTestBroker.EventuallyAsync(
                () => Enumerable.Range(2, 20).All(i => handler.CountFor($"good-{i}") == 1),
                Timeout);
            var deadLettered = await RabbitMqTestBroker.EventuallyAsync(
                () => RabbitMqTestBroker.MessageCountAsync(options, options.DeadLetterQueue).Result == 1,
                Timeout);

            // Assert: delivered limit + 1 times with attempts 1, 2, 3, then parked in the dead-letter queue.
            Assert.True(goodDone, "the other messages were not all handled exactly once");
            Assert.True(deadLettered, "the poison message did not reach the dead-letter queue");
            var attempts = handler.Deliveries.Where(d => d.UploadId == "poison").Select(d => d.DeliveryCount).ToList();
            Assert.Equal([1, 2, 3], attempts);
            Assert.Equal(0u, await RabbitMqTestBroker.MessageCountAsync(options, options.Queue));
        }
        finally
        {
            await consumer.StopAsync(CancellationToken.None).WaitAsync(Timeout);
            await RabbitMqTestBroker.DeleteTopologyAsync(options);
        }
    }

    [Fact]
    public async Task Failure_that_passes_within_a_second_is_waited_out_instead_of_using_up_the_deliveries()
    {
        // Arrange: three deliveries in all; the handler fails for 1.2 s. Returned at once, as the queue redelivers,
        // all three failed within milliseconds and the message was dead-lettered; waited (at least half of 1 s,
        // then of 2 s), the third comes after the failure passed.
        var options = RabbitMqTestBroker.UniqueOptions(deliveryLimit: 2);
        options.RetryDelay = TimeSpan.FromSeconds(1);
        var failingUntil = DateTimeOffset.MaxValue;
        var times = new System.Collections.Concurrent.ConcurrentQueue<DateTimeOffset>();
        var handler = new RecordingCompletionConsumer((_, _) =>
        {
            var now = DateTimeOffset.UtcNow;
            times.Enqueue(now);
            if (failingUntil == DateTimeOffset.MaxValue)
            {
                failingUntil = now + TimeSpan.FromSeconds(1.2);
            }

            return now < failingUntil ? throw new InvalidOperationException("passing failure") : Task.CompletedTask;
        });
        await using var publisher = RabbitMqTestBroker.Publisher(options);
        using var consumer = RabbitMqTestBroker.Consumer(options, handler);

        try
        {
            // Act
            await consumer.StartAsync(CancellationToken.None).WaitAsync(Timeout);
            await publisher.PublishAsync([RabbitMqTestBroker.Completion(1, "flaky")], CancellationToken.None)
                .WaitAsync(Timeout);
            var handled = await RabbitMqTestBroker.EventuallyAsync(
                () => times.LastOrDefault() >= failingUntil,
                Timeout);

            // Assert: delivered three times at most, the waits between them at least their lower bounds.
            Assert.True(handled, $"the message was not handled after the failure passed ({times.Count} deliveries)");
            Assert.Equal([1, 2, 3], handler.Deliveries.Select(delivery => delivery.DeliveryCount));
            var at = times.ToArray();
            Assert.True(at[1] - at[0] >= TimeSpan.FromSeconds(0.5), $"first wait {at[1] - at[0]}");
            Assert.True(at[2] - at[1] >= TimeSpan.FromSeconds(1), $"second wait {at[2] - at[1]}");
            Assert.Equal(0u, await RabbitMqTestBroker.MessageCountAsync(options, options.DeadLetterQueue));
        }
        finally
        {
            await consumer.StopAsync(CancellationToken.None).WaitAsync(Timeout);
            await RabbitMqTestBroker.DeleteTopologyAsync(options);
        }
    }

    [Fact]
    public async Task Deferred_message_is_requeued_without_using_up_the_delivery_limit()
    {
        // Arrange: limit 1 would dead-letter on the second counted return; five deferrals must not.
        var options = RabbitMqTestBroker.UniqueOptions(deliveryLimit: 1);
        var handler = new RecordingCompletionConsumer((_, _) => Task.CompletedTask);
        var deferrals = 0;
        var deferring = new RecordingCompletionConsumer((completed, attempt) =>
            Interlocked.Increment(ref deferrals) <= 5
                ? throw new ProcessingDeferredException("scanner down")
                : handler.HandleAsync(completed, attempt, CancellationToken.None));
        await using var publisher = RabbitMqTestBroker.Publisher(options);
        using var consumer = RabbitMqTestBroker.Consumer(options, deferring);

        try
        {
            // Act
            await consumer.StartAsync(CancellationToken.None).WaitAsync(Timeout);
            await publisher.PublishAsync([RabbitMqTestBroker.Completion(1, "deferred")], CancellationToken.None)
                .WaitAsync(Timeout);
            var handled = await RabbitMqTestBroker.EventuallyAsync(() => handler.CountFor("deferred") == 1, Timeout);

            // Assert
            Assert.True(handled, $"the deferred message was not handled in the end ({deferrals} deferrals)");
            Assert.Equal(6, deferring.CountFor("deferred"));
            Assert.All(deferring.Deliveries, delivery => Assert.Equal(1, delivery.DeliveryCount));
            Assert.Equal(0u, await RabbitMqTestBroker.MessageCountAsync(options, options.DeadLetterQueue));
        }
        finally
        {
            await consumer.StopAsync(CancellationToken.None).WaitAsync(Timeout);
            await RabbitMqTestBroker.DeleteTopologyAsync(options);
        }
    }

    [Fact]
    public async Task Message_that_is_not_a_cloudevent_is_dead_lettered_at_once()
    {
        // Arrange
        var options = RabbitMqTestBroker.UniqueOptions();
        var handler = new RecordingCompletionConsumer();
        using var consumer = RabbitMqTestBroker.Consumer(options, handler);

        try
        {
            await consumer.StartAsync(CancellationToken.None).WaitAsync(Timeout);
            await using var connection = await RabbitMqConnections.OpenAsync(options, "tests", CancellationToken.None)
                .WaitAsync(Timeout);
            await using var channel = await connection.CreateChannelAsync().WaitAsync(Timeout);
            await RabbitMqTopology.DeclareAsync(channel, options, CancellationToken.None).WaitAsync(Timeout);

            // Act
            await channel.BasicPublishAsync(options.Exchange, options.RoutingKey, "not json"u8.ToArray())
                .AsTask().WaitAsync(Timeout);
            var deadLettered = await RabbitMqTestBroker.EventuallyAsync(
                () => RabbitMqTestBroker.MessageCountAsync(options, options.DeadLetterQueue).Result == 1,
                Timeout);

            // Assert
            Assert.True(deadLettered, "the unreadable message did not reach the dead-letter queue");
            Assert.Empty(handler.Deliveries);
        }
        finally
        {
            await consumer.StopAsync(CancellationToken.None).WaitAsync(Timeout);
            await RabbitMqTestBroker.DeleteTopologyAsync(options);
        }
    }
}
