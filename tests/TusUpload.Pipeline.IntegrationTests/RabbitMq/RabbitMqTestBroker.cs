using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using TusUpload.Pipeline.Ledger;
using TusUpload.Pipeline.Messaging;
using TusUpload.Pipeline.Messaging.RabbitMq;

namespace TusUpload.Pipeline.IntegrationTests.RabbitMq;

/// <summary>The shared test broker from scripts/services.sh, with per-test exchange and queue names.</summary>
internal static class RabbitMqTestBroker
{
    public static Uri Uri
    {
        get
        {
            var value = Environment.GetEnvironmentVariable("TUS_TEST_RABBITMQ");
            Assert.False(
                string.IsNullOrWhiteSpace(value),
                "TUS_TEST_RABBITMQ is not set: run the tests with scripts/test.sh "
                + "(or eval \"$(scripts/services.sh env)\").");
            return new Uri(value!);
        }
    }

    /// <summary>Options with names unique to one test, so tests never see each other's messages.</summary>
    public static RabbitMqOptions UniqueOptions(Uri? uri = null, int deliveryLimit = 5)
    {
        var suffix = Guid.NewGuid().ToString("N")[..12];
        return new RabbitMqOptions
        {
            Uri = uri ?? Uri,
            Exchange = $"test.events.{suffix}",
            Queue = $"test.completed.{suffix}",
            DeadLetterExchange = $"test.dead-letter.{suffix}",
            DeadLetterQueue = $"test.dead-letter.{suffix}",
            ParkingQueue = $"test.parked.{suffix}",
            DeliveryLimit = deliveryLimit,
            ReconnectDelay = TimeSpan.FromMilliseconds(200),
            RetryDelay = TimeSpan.FromMilliseconds(100),
        };
    }

    public static RabbitMqEventPublisher Publisher(RabbitMqOptions options) =>
        new(Options.Create(options), NullLogger<RabbitMqEventPublisher>.Instance);

    public static RabbitMqCompletionConsumer Consumer(RabbitMqOptions options, ICompletionConsumer handler) =>
        new(Options.Create(options), handler, NullLogger<RabbitMqCompletionConsumer>.Instance);

    public static OutboxMessage Completion(long id, string uploadId, long length = 10)
    {
        var completed = new UploadCompletedEvent(uploadId, length, Metadata: null, DateTimeOffset.UtcNow);
        return new OutboxMessage(
            id,
            uploadId,
            CompletionEventCodec.EventType,
            CompletionEventCodec.Encode(completed),
            DateTimeOffset.UtcNow);
    }

    public static async Task<uint> MessageCountAsync(RabbitMqOptions options, string queue)
    {
        await using var connection = await RabbitMqConnections.OpenAsync(options, "tests", CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(15));
        await using var channel = await connection.CreateChannelAsync().WaitAsync(TimeSpan.FromSeconds(10));
        return await channel.MessageCountAsync(queue).WaitAsync(TimeSpan.FromSeconds(10));
    }

    public static async Task DeleteTopologyAsync(RabbitMqOptions options)
    {
        await using var connection = await RabbitMqConnections.OpenAsync(options, "tests", CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(15));
        await using var channel = await connection.CreateChannelAsync().WaitAsync(TimeSpan.FromSeconds(10));
        await channel.QueueDeleteAsync(options.Queue).WaitAsync(TimeSpan.FromSeconds(10));
        await channel.QueueDeleteAsync(options.DeadLetterQueue).WaitAsync(TimeSpan.FromSeconds(10));
        await channel.QueueDeleteAsync(options.ParkingQueue).WaitAsync(TimeSpan.FromSeconds(10));
        await channel.ExchangeDeleteAsync(options.Exchange).WaitAsync(TimeSpan.FromSeconds(10));
        await channel.ExchangeDeleteAsync(options.DeadLetterExchange).WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>Polls until <paramref name="condition"/> holds or the timeout passes; true if it held.</summary>
    public static async Task<bool> EventuallyAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (condition())
            {
                return true;
            }

            await Task.Delay(50);
        }

        return condition();
    }
}
