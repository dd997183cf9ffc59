using RabbitMQ.Client;
using TusUpload.Pipeline.Messaging;
using TusUpload.Pipeline.Messaging.RabbitMq;

namespace TusUpload.Pipeline.IntegrationTests.RabbitMq;

/// <summary>Puts messages into a test topology's dead-letter queue the ways the broker does.</summary>
internal static class DeadLetters
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    /// <summary>Publishes the upload's completion to the work queue as the relay does, with extra headers.</summary>
    public static async Task PublishAsync(
        RabbitMqOptions options,
        string uploadId,
        IDictionary<string, object?>? headers = null)
    {
        await using var connection = await RabbitMqConnections.OpenAsync(options, "tests", CancellationToken.None)
            .WaitAsync(Wait);
        await using var channel = await connection
            .CreateChannelAsync(new CreateChannelOptions(true, true))
            .WaitAsync(Wait);
        await RabbitMqTopology.DeclareAsync(channel, options, CancellationToken.None).WaitAsync(Wait);
        var completed = new UploadCompletedEvent(uploadId, 10, Metadata: null, DateTimeOffset.UtcNow);
        var properties = new BasicProperties
        {
            MessageId = uploadId,
            ContentType = CompletionEventCodec.ContentType,
            DeliveryMode = DeliveryModes.Persistent,
            Headers = headers is null ? null : new Dictionary<string, object?>(headers),
        };
        await channel.BasicPublishAsync(
                string.Empty,
                options.Queue,
                mandatory: true,
                properties,
                System.Text.Encoding.UTF8.GetBytes(CompletionEventCodec.Encode(completed)))
            .AsTask()
            .WaitAsync(Wait);
    }

    /// <summary>
    /// Takes the work queue's next message <paramref name="times"/> times and closes each consumer's connection
    /// without an ack, as a killed worker's connection ends: the quorum queue counts every return.
    /// </summary>
    public static async Task AbandonAsync(RabbitMqOptions options, int times)
    {
        for (var i = 0; i < times; i++)
        {
            await using var connection = await RabbitMqConnections.OpenAsync(options, "killed", CancellationToken.None)
                .WaitAsync(Wait);
            await using var channel = await connection.CreateChannelAsync().WaitAsync(Wait);
            var taken = await RabbitMqTestBroker.EventuallyAsync(
                () => channel.BasicGetAsync(options.Queue, autoAck: false).Result is not null,
                Wait);
            Assert.True(taken, $"abandon {i + 1}: the work queue had no message");
            await connection.CloseAsync().WaitAsync(Wait);
        }
    }

    /// <summary>Publishes and abandons the message until the delivery limit dead-letters it.</summary>
    public static async Task DeadLetterByTheLimitAsync(
        RabbitMqOptions options,
        string uploadId,
        IDictionary<string, object?>? headers = null)
    {
        await PublishAsync(options, uploadId, headers);
        await AbandonAsync(options, options.DeliveryLimit + 1);
        Assert.True(
            await CountIsAsync(options, options.DeadLetterQueue, 1),
            "the abandoned message was not dead-lettered");
    }

    /// <summary>Takes the work queue's next message and rejects it without requeue, as the consumer does.</summary>
    public static async Task RejectAsync(RabbitMqOptions options)
    {
        await using var connection = await RabbitMqConnections.OpenAsync(options, "tests", CancellationToken.None)
            .WaitAsync(Wait);
        await using var channel = await connection.CreateChannelAsync().WaitAsync(Wait);
        BasicGetResult? message = null;
        var taken = await RabbitMqTestBroker.EventuallyAsync(
            () => (message = channel.BasicGetAsync(options.Queue, autoAck: false).Result) is not null,
            Wait);
        Assert.True(taken, "the work queue had no message to reject");
        await channel.BasicNackAsync(message!.DeliveryTag, multiple: false, requeue: false).AsTask().WaitAsync(Wait);
    }

    /// <summary>The ready messages of <paramref name="queue"/> reach <paramref name="count"/> within 60 s.</summary>
    public static Task<bool> CountIsAsync(RabbitMqOptions options, string queue, uint count) =>
        RabbitMqTestBroker.EventuallyAsync(
            () => RabbitMqTestBroker.MessageCountAsync(options, queue).Result == count,
            TimeSpan.FromSeconds(60));

    /// <summary>Takes the next message of <paramref name="queue"/> for good (acked), or null within 60 s.</summary>
    public static async Task<BasicGetResult?> TakeAsync(RabbitMqOptions options, string queue)
    {
        await using var connection = await RabbitMqConnections.OpenAsync(options, "tests", CancellationToken.None)
            .WaitAsync(Wait);
        await using var channel = await connection.CreateChannelAsync().WaitAsync(Wait);
        BasicGetResult? message = null;
        await RabbitMqTestBroker.EventuallyAsync(
            () => (message = channel.BasicGetAsync(queue, autoAck: true).Result) is not null,
            TimeSpan.FromSeconds(60));
        return message;
    }

    /// <summary>
    /// Takes the next message of <paramref name="queue"/> and returns it by closing the connection (the queue counts
    /// that); its headers, or null when none came within 60 s.
    /// </summary>
    public static async Task<IDictionary<string, object?>?> PeekHeadersAsync(RabbitMqOptions options, string queue)
    {
        await using var connection = await RabbitMqConnections.OpenAsync(options, "tests", CancellationToken.None)
            .WaitAsync(Wait);
        await using var channel = await connection.CreateChannelAsync().WaitAsync(Wait);
        BasicGetResult? message = null;
        await RabbitMqTestBroker.EventuallyAsync(
            () => (message = channel.BasicGetAsync(queue, autoAck: false).Result) is not null,
            TimeSpan.FromSeconds(60));
        var headers = message?.BasicProperties.Headers is { } found ? new Dictionary<string, object?>(found) : null;
        await connection.CloseAsync().WaitAsync(Wait);
        return message is null ? null : headers ?? new Dictionary<string, object?>();
    }

    /// <summary>The header as text (the broker hands strings back as bytes).</summary>
    public static string? Text(BasicGetResult message, string header) =>
        message.BasicProperties.Headers?.TryGetValue(header, out var value) == true
            ? value switch
            {
                byte[] bytes => System.Text.Encoding.UTF8.GetString(bytes),
                var other => other?.ToString(),
            }
            : null;
}
